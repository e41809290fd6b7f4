import type { PathItemObject, ResponseObject } from './openapi-types.js';

export interface DocumentationPaths {
  /** Where the OpenAPI document is served; default `/openapi.json`. */
  document: string;
  /** Where the HTML page is served; default `/docs`. */
  page: string;
}

const requestIdHeader = { 'x-request-id': { $ref: '#/components/headers/XRequestId' } };

const json = (description: string, schemaName: string): ResponseObject => ({
  description,
  headers: requestIdHeader,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` } } },
});

/** GET / and GET /health: the standalone server's own routes, outside /v1 and without a key. */
export function serviceRoutePaths(): Record<string, PathItemObject> {
  return {
    '/': {
      get: {
        operationId: 'getServiceInfo',
        summary: 'Service info',
        description: 'What this service is and how to call it. Needs no key.',
        tags: ['Service'],
        security: [],
        responses: { '200': json('The service info.', 'ServiceInfo') },
      },
    },
    '/health': {
      get: {
        operationId: 'getHealth',
        summary: 'Health',
        description: 'Liveness. Needs no key and never calls DashScope.',
        tags: ['Service'],
        security: [],
        responses: { '200': json('Healthy.', 'Health') },
      },
    },
  };
}

/** The document and the page themselves, so a reader of either finds the other. */
export function documentationPaths({ document, page }: DocumentationPaths): Record<string, PathItemObject> {
  return {
    [document]: {
      get: {
        operationId: 'getOpenAPIDocument',
        summary: 'This OpenAPI document',
        description: "The gateway's API as OpenAPI 3.1 JSON. Needs no key.",
        tags: ['Service'],
        security: [],
        responses: {
          '200': {
            description: 'The document.',
            content: { 'application/json': { schema: { type: 'object', description: 'OpenAPI 3.1.0' } } },
          },
        },
      },
    },
    [page]: {
      get: {
        operationId: 'getDocsPage',
        summary: 'This documentation as a web page',
        description: 'The OpenAPI document rendered as one HTML page (no scripts). Needs no key.',
        tags: ['Service'],
        security: [],
        responses: { '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
  };
}
