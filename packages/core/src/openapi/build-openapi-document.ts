import { z } from 'zod';
import type { GatewayEndpoint } from '../endpoints/gateway-endpoint.js';
import { OPENAI_ENDPOINTS } from '../endpoints/openai-endpoints.js';
import { ENDPOINT_DOCS, type EndpointDoc } from './endpoint-docs.js';
import { errorResponseComponents, errorResponsesFor } from './error-responses.js';
import type { MediaTypeObject, OpenAPIDocument, OperationObject, PathItemObject, ResponseObject } from './openapi-types.js';
import { responseHeaderComponents } from './response-headers.js';
import { SHARED_RESPONSE_COMPONENTS } from './response-schemas.js';
import { toSchemaComponents, type NamedSchema } from './schema-components.js';
import { documentationPaths, serviceRoutePaths, type DocumentationPaths } from './service-paths.js';
import { healthSchema, serviceInfoSchema } from './service-route-schemas.js';
import { toOpenAPIPath } from './to-openapi-path.js';

export interface BuildOpenAPIDocumentOptions {
  /** `info.version`: the server's version. */
  version: string;
  /** Where the endpoint table is mounted; default `/v1`. */
  basePath?: string;
  /** The public URL clients call, as `servers[0]`; default `/`: clients resolve paths against the document's own host. */
  serverUrl?: string;
  /** Default OPENAI_ENDPOINTS, the table the router serves. */
  endpoints?: readonly GatewayEndpoint[];
  /** Document the standalone server's GET / and GET /health; default true (a host app mounting the router has its own). */
  serviceRoutes?: boolean;
  /** Document the document and the page themselves, at these paths; default `/openapi.json` and `/docs`; `false` omits them. */
  documentation?: DocumentationPaths | false;
}

const BEARER = [{ bearerAuth: [] }];

/** The gateway's own API as an OpenAPI 3.1.0 document, generated from the endpoint table. */
export function buildOpenAPIDocument({
  version,
  basePath = '/v1',
  serverUrl,
  endpoints = OPENAI_ENDPOINTS,
  serviceRoutes = true,
  documentation = { document: '/openapi.json', page: '/docs' },
}: BuildOpenAPIDocumentOptions): OpenAPIDocument {
  const prefix = basePath.replace(/\/+$/, '');
  const schemas: NamedSchema[] = [...SHARED_RESPONSE_COMPONENTS];
  if (serviceRoutes) schemas.push({ name: 'Health', schema: healthSchema }, { name: 'ServiceInfo', schema: serviceInfoSchema });
  const paths: Record<string, PathItemObject> = {};

  for (const endpoint of endpoints) {
    const doc = ENDPOINT_DOCS[endpoint.id] ?? undocumented(endpoint);
    const { path, parameters } = toOpenAPIPath(endpoint.path);
    const operation: OperationObject = {
      operationId: toOperationId(endpoint.id),
      summary: doc.summary,
      description: doc.description,
      tags: [doc.tag],
      security: BEARER,
      responses: { '200': successResponse(doc, endpoint.kind === 'upstream'), ...errorResponsesFor(endpoint.kind) },
    };
    if (parameters.length > 0) {
      operation.parameters = parameters.map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string' },
        ...doc.pathParameters?.[name],
      }));
    }
    schemas.push({ name: doc.response.name, schema: doc.response.schema });
    if (doc.stream !== undefined) schemas.push({ name: doc.stream.name, schema: doc.stream.schema });
    if (endpoint.kind === 'upstream') {
      const requestSchemaName = doc.requestSchemaName ?? `${capitalize(toOperationId(endpoint.id))}Request`;
      schemas.push({ name: requestSchemaName, schema: endpoint.requestSchema });
      operation.requestBody = {
        required: true,
        content: {
          'application/json': {
            schema: { $ref: `#/components/schemas/${requestSchemaName}` },
            ...(doc.requestExamples === undefined ? {} : { examples: doc.requestExamples }),
          },
        },
      };
    }
    const fullPath = `${prefix}${path}`;
    paths[fullPath] = { ...paths[fullPath], [endpoint.method.toLowerCase()]: operation };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'DashScope to OpenAI API Gateway',
      version,
      description:
        "An OpenAI-compatible API in front of Alibaba Cloud Bailian DashScope's native API. Point an OpenAI client at the `/v1` base URL and send your own DashScope API key as the Bearer token; the gateway stores none. Every error is OpenAI's error body.",
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Written out even when it is OpenAPI's default ('/', the document's own host), which linters ask for.
    servers: [{ url: serverUrl ?? '/' }],
    tags: [
      { name: 'Chat', description: 'Chat completions.' },
      { name: 'Completions', description: 'Legacy text completions.' },
      { name: 'Embeddings', description: 'Text embeddings.' },
      { name: 'Models', description: "The gateway's model catalogue." },
      { name: 'Service', description: 'The service itself: no key needed.' },
    ],
    paths: {
      ...(serviceRoutes ? serviceRoutePaths() : {}),
      ...(documentation === false ? {} : documentationPaths(documentation)),
      ...paths,
    },
    components: {
      schemas: toSchemaComponents(uniqueSchemas(schemas)),
      responses: errorResponseComponents(),
      headers: responseHeaderComponents(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Your own DashScope API key (`Authorization: Bearer sk-…`). The gateway passes it to DashScope with each call and stores none.',
        },
      },
    },
  };
}

function successResponse(doc: EndpointDoc, fromDashScope: boolean): ResponseObject {
  const content: Record<string, MediaTypeObject> = {
    'application/json': {
      schema: { $ref: `#/components/schemas/${doc.response.name}` },
      ...(doc.response.example === undefined ? {} : { example: doc.response.example }),
    },
  };
  if (doc.stream !== undefined) {
    content['text/event-stream'] = {
      // The schema of each event's `data`, as OpenAI's own document gives it; the framing is in the description.
      schema: {
        $ref: `#/components/schemas/${doc.stream.name}`,
        description:
          'With `"stream": true`: server-sent events, each `data: <JSON of this schema>`, ended by `data: [DONE]`. A failure after the stream started is one `data: {"error":{...}}` event, and the stream closes without `[DONE]`. While DashScope is silent, `: keep-alive` comments are sent.',
      },
      example: doc.stream.example,
    };
  }
  const headers: ResponseObject['headers'] = { 'x-request-id': { $ref: '#/components/headers/XRequestId' } };
  if (fromDashScope) {
    headers['x-dashscope-request-id'] = { $ref: '#/components/headers/XDashScopeRequestId' };
    headers['x-gateway-warnings'] = { $ref: '#/components/headers/XGatewayWarnings' };
  }
  return { description: doc.response.description, headers, content };
}

/** An endpoint added to the table before its docs: still served, so still documented, plainly. */
function undocumented(endpoint: GatewayEndpoint): EndpointDoc {
  return {
    summary: endpoint.id,
    description: `${endpoint.method} ${endpoint.path}`,
    tag: 'Other',
    response: { name: `${capitalize(toOperationId(endpoint.id))}Response`, schema: z.object({}), description: 'OK' },
  };
}

function uniqueSchemas(named: readonly NamedSchema[]): NamedSchema[] {
  const byName = new Map<string, NamedSchema>();
  for (const entry of named) {
    const known = byName.get(entry.name);
    if (known !== undefined && known.schema !== entry.schema) throw new Error(`OpenAPI: two schemas named ${entry.name}`);
    byName.set(entry.name, entry);
  }
  return [...byName.values()];
}

/** `chat.completions` → `chatCompletions`: unique because endpoint ids are. */
function toOperationId(id: string): string {
  return id.replace(/[._-]+([a-zA-Z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
