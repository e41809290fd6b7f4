import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_ENDPOINTS } from '@gw/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startStack, type Stack } from './start-stack.js';

/**
 * GET /openapi.json and GET /docs on the standalone server: public, and true to what the server serves.
 * The document's /v1 operations are the router's endpoints, and each of them is answered (401 without a
 * key, never the router's 404).
 */

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

interface ServedDocument {
  openapi: string;
  info: { version: string };
  components: { schemas: Record<string, object> };
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; example?: string }> }>>;
}

let stack: Stack;
let document: ServedDocument;
beforeAll(async () => {
  stack = await startStack();
  document = (await (await fetch(`${stack.url}/openapi.json`)).json()) as ServedDocument;
});
afterAll(async () => {
  await stack.close();
});

const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

describe('GET /openapi.json', () => {
  it('answers the OpenAPI 3.1 document as JSON, without a key', async () => {
    const response = await fetch(`${stack.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as ServedDocument;
    expect(body.openapi).toBe('3.1.0');
    expect(body.info.version).toBe(version);
    // Written out (OpenAPI's default), so linters that ask for servers pass.
    expect((body as unknown as { servers: unknown }).servers).toEqual([{ url: '/' }]);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(stack.fake.requests).toEqual([]);
  });

  it("documents exactly the router's endpoints under /v1", () => {
    const documented = operations()
      .filter(({ path }) => path.startsWith('/v1/'))
      .map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    const served = OPENAI_ENDPOINTS.map((endpoint) => `${endpoint.method} /v1${endpoint.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(served.sort());
  });

  it('documents only paths the server answers: each /v1 operation wants a key, the others answer 200 without one', async () => {
    for (const { path, method, operation } of operations()) {
      const url = path.replace(/\{(\w+)\}/g, (_match, name: string) => String(operation.parameters?.find((p) => p.name === name)?.example));
      const response = await fetch(`${stack.url}${url}`, { method: method.toUpperCase() });
      await response.arrayBuffer();
      expect([`${method} ${path}`, response.status]).toEqual([`${method} ${path}`, path.startsWith('/v1/') ? 401 : 200]);
    }
    expect(stack.fake.requests).toEqual([]);
  });
});

describe('the service routes', () => {
  // Their schemas are written beside the endpoint docs, away from the handlers: check the real answers.
  it.each([
    ['/', 'ServiceInfo'],
    ['/health', 'Health'],
  ])('GET %s answers as documented (%s)', async (path, schemaName) => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'https://gateway.test/openapi.json', components: document.components });
    const validate = ajv.getSchema(`https://gateway.test/openapi.json#/components/schemas/${schemaName}`);
    const body: unknown = await (await fetch(`${stack.url}${path}`)).json();
    expect(validate?.(body) === true ? [] : validate?.errors).toEqual([]);
  });
});

describe('GET /docs', () => {
  it('answers an HTML page of every documented path, without a key, where nothing can run', async () => {
    const response = await fetch(`${stack.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toContain('<script');
    for (const { path } of operations()) expect(html).toContain(`<code>${path}</code>`);
  });
});
