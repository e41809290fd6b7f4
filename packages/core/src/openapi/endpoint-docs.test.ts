import { describe, expect, it } from '@jest/globals';
import { OPENAI_ENDPOINTS } from '../endpoints/openai-endpoints.js';
import { buildOpenAPIDocument } from './build-openapi-document.js';
import { ENDPOINT_DOCS } from './endpoint-docs.js';
import type { MediaTypeObject } from './openapi-types.js';
import { toOpenAPIPath } from './to-openapi-path.js';

const document = buildOpenAPIDocument({ version: '0.0.0-test' });

describe('ENDPOINT_DOCS', () => {
  it.each(OPENAI_ENDPOINTS.map((endpoint) => [endpoint.id, endpoint] as const))('documents %s', (id, endpoint) => {
    const doc = ENDPOINT_DOCS[id];
    expect(doc).toBeDefined();
    expect(doc?.summary.length).toBeGreaterThan(0);
    expect(doc?.description.length).toBeGreaterThan(0);
    if (endpoint.kind === 'upstream') expect(Object.keys(doc?.requestExamples ?? {}).length).toBeGreaterThanOrEqual(2);
    for (const name of toOpenAPIPath(endpoint.path).parameters) expect(doc?.pathParameters?.[name]).toBeDefined();
  });

  it('documents the endpoints being added to the table too', () => {
    expect(Object.keys(ENDPOINT_DOCS).sort()).toEqual(
      ['chat.completions', 'completions.create', 'embeddings.create', 'models.list', 'models.retrieve'].sort(),
    );
  });
});

describe('request examples in the document', () => {
  // Read back from the built document: what a reader copies is what must pass.
  const cases = OPENAI_ENDPOINTS.flatMap((endpoint) => {
    if (endpoint.kind !== 'upstream') return [];
    const operation = document.paths[`/v1${toOpenAPIPath(endpoint.path).path}`]?.post;
    const media = operation?.requestBody?.content['application/json'] as MediaTypeObject;
    return Object.entries(media.examples ?? {}).map(([name, example]) => [endpoint.id, name, endpoint, example.value] as const);
  });

  it('has some', () => {
    expect(cases.length).toBeGreaterThanOrEqual(9);
  });

  it.each(cases)("%s's example %s passes the gateway's own parser, with nothing dropped", (_id, _name, endpoint, value) => {
    const { warnings } = endpoint.parse(structuredClone(value));
    expect(warnings).toEqual([]);
  });
});
