import { describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import type { GatewayEndpoint } from '../endpoints/gateway-endpoint.js';
import { OPENAI_ENDPOINTS } from '../endpoints/openai-endpoints.js';
import { buildOpenAPIDocument } from './build-openapi-document.js';
import { ENDPOINT_DOCS } from './endpoint-docs.js';
import type { MediaTypeObject, OpenAPIDocument, OperationObject, Reference, ResponseObject } from './openapi-types.js';
import { toOpenAPIPath } from './to-openapi-path.js';

const document = buildOpenAPIDocument({ version: '1.2.3' });
/** As served: JSON, so nothing the validator sees is a JavaScript-only value. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

async function expectValidOpenAPI(doc: OpenAPIDocument) {
  const validator = new Validator();
  const result = await validator.validate(asJson(doc));
  expect(result.errors).toBeUndefined();
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
}

function operations(doc: OpenAPIDocument): Array<[string, string, OperationObject]> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => [path, method, operation as OperationObject] as [string, string, OperationObject]),
  );
}

function resolve<T>(doc: OpenAPIDocument, value: T | Reference): T {
  if (typeof value !== 'object' || value === null || !('$ref' in value)) return value as T;
  const found = value.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
  if (found === undefined) throw new Error(`unresolved ${value.$ref}`);
  return found as T;
}

function allRefs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allRefs);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => (key === '$ref' && typeof child === 'string' ? [child] : allRefs(child)));
}

describe('buildOpenAPIDocument', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toBe('1.2.3');
    await expectValidOpenAPI(document);
  });

  it('has only references that resolve within the document', () => {
    const refs = allRefs(document);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref.startsWith('#/components/')).toBe(true);
      expect(() => resolve(document, { $ref: ref })).not.toThrow();
    }
  });

  it('has one operation per endpoint of the table under /v1, Express parameters in OpenAPI syntax', () => {
    const v1 = operations(document)
      .filter(([path]) => path.startsWith('/v1/'))
      .map(([path, method]) => `${method.toUpperCase()} ${path}`);
    const table = OPENAI_ENDPOINTS.map((endpoint) => `${endpoint.method} /v1${toOpenAPIPath(endpoint.path).path}`);
    expect(v1.sort()).toEqual(table.sort());
    expect(document.paths['/v1/models/{model}']?.get?.parameters).toEqual([
      expect.objectContaining({ name: 'model', in: 'path', required: true }),
    ]);
  });

  it('documents the service routes, the document and the page, without auth', () => {
    for (const path of ['/', '/health', '/openapi.json', '/docs']) expect(document.paths[path]?.get?.security).toEqual([]);
  });

  it('asks for the Bearer key, the caller’s own DashScope key, on every /v1 operation', () => {
    expect(document.components.securitySchemes.bearerAuth).toEqual({
      type: 'http',
      scheme: 'bearer',
      description: expect.stringContaining('DashScope'),
    });
    for (const [path, , operation] of operations(document)) {
      if (path.startsWith('/v1/')) expect(operation.security).toEqual([{ bearerAuth: [] }]);
    }
  });

  it("answers every 4xx and 5xx with OpenAI's error body", () => {
    for (const [, , operation] of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const media = resolve<ResponseObject>(document, response).content?.['application/json'];
        expect(media?.schema).toEqual({ $ref: '#/components/schemas/ErrorResponse' });
      }
    }
  });

  it('lists the statuses the README documents on every call to DashScope', () => {
    for (const endpoint of OPENAI_ENDPOINTS.filter((entry) => entry.kind === 'upstream')) {
      const operation = document.paths[`/v1${toOpenAPIPath(endpoint.path).path}`]?.post as OperationObject;
      expect(Object.keys(operation.responses).sort()).toEqual(
        ['200', '400', '401', '403', '404', '408', '413', '415', '429', '500', '502', '503', '504'].sort(),
      );
    }
  });

  it('describes the stream of every endpoint that streams: the chunk schema and the [DONE] end', () => {
    for (const endpoint of OPENAI_ENDPOINTS) {
      const doc = ENDPOINT_DOCS[endpoint.id];
      const operation = document.paths[`/v1${toOpenAPIPath(endpoint.path).path}`]?.[endpoint.method === 'GET' ? 'get' : 'post'];
      const ok = resolve<ResponseObject>(document, operation?.responses['200'] as ResponseObject);
      const stream = ok.content?.['text/event-stream'];
      if (doc?.stream === undefined) {
        expect(stream).toBeUndefined();
        continue;
      }
      expect(stream?.schema).toEqual({
        $ref: `#/components/schemas/${doc.stream.name}`,
        description: expect.stringContaining('data: [DONE]'),
      });
      expect(stream?.example).toMatch(/^data: \{.*\n\ndata: \[DONE\]\n\n$/s);
    }
    expect(document.components.schemas.CreateChatCompletionStreamResponse).toBeDefined();
  });

  it('takes request bodies from the endpoints’ own zod schemas', () => {
    const chat = document.paths['/v1/chat/completions']?.post?.requestBody?.content['application/json'];
    expect(chat?.schema).toEqual({ $ref: '#/components/schemas/CreateChatCompletionRequest' });
    const schema = document.components.schemas.CreateChatCompletionRequest as { additionalProperties: unknown; required: string[] };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['model', 'messages']);
  });

  it('gives JSON Schemas that accept each request example and refuse an unknown field, as the parser does', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'https://gateway.test/openapi.json', ...asJson({ components: document.components }) });
    for (const [, , operation] of operations(document)) {
      const media = operation.requestBody?.content['application/json'] as MediaTypeObject | undefined;
      if (media === undefined) continue;
      const validate = ajv.getSchema(`https://gateway.test/openapi.json${String(media.schema?.$ref)}`);
      expect(validate).toBeDefined();
      for (const example of Object.values(media.examples ?? {})) {
        expect(validate?.(example.value) === true ? [] : validate?.errors).toEqual([]);
        expect(validate?.({ ...(example.value as object), not_a_field: 1 })).toBe(false);
      }
    }
  });

  it('mounts at another base path, names the server, and leaves out the standalone routes when asked', async () => {
    const hosted = buildOpenAPIDocument({
      version: '1.0.0',
      basePath: '/ai/v1/',
      serverUrl: 'https://api.example.com',
      serviceRoutes: false,
      documentation: { document: '/ai/openapi.json', page: '/ai/docs' },
    });
    expect(Object.keys(hosted.paths)).toEqual(expect.arrayContaining(['/ai/v1/chat/completions', '/ai/v1/models/{model}', '/ai/docs']));
    expect(Object.keys(hosted.paths).filter((path) => !path.startsWith('/ai/'))).toEqual([]);
    expect(hosted.servers).toEqual([{ url: 'https://api.example.com' }]);
    expect(buildOpenAPIDocument({ version: '1.0.0', documentation: false }).paths['/openapi.json']).toBeUndefined();
    await expectValidOpenAPI(hosted);
  });

  it('still documents, plainly, an endpoint added to the table before its docs', async () => {
    const extra: GatewayEndpoint = {
      kind: 'upstream',
      id: 'audio.speech',
      method: 'POST',
      path: '/audio/speech',
      requestSchema: z.strictObject({ input: z.string() }),
      parse: () => ({ request: {}, warnings: [] }),
      prepare: () => ({ kind: 'json', path: '/', body: {}, model: 'm', convertResponse: () => ({ body: {}, summary: {} as never }) }),
    };
    const doc = buildOpenAPIDocument({ version: '1.0.0', endpoints: [...OPENAI_ENDPOINTS, extra] });
    expect(doc.paths['/v1/audio/speech']?.post?.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/AudioSpeechRequest',
    });
    await expectValidOpenAPI(doc);
  });

  it('is the same every time (the server caches one)', () => {
    expect(asJson(buildOpenAPIDocument({ version: '1.2.3' }))).toEqual(asJson(document));
  });
});
