import type { HeaderObject, Reference, ResponseObject } from './openapi-types.js';

interface ErrorStatus {
  status: number;
  name: string;
  description: string;
  /** Only calls that take a body and go to DashScope can meet it; the model list cannot. */
  upstreamOnly: boolean;
  retryAfter?: boolean;
}

/** The statuses the README's "Errors" table documents, each with what causes it. */
const ERROR_STATUSES: readonly ErrorStatus[] = [
  {
    status: 400,
    name: 'BadRequest',
    description:
      'Malformed JSON, an invalid or unsupported parameter (`param` names it), an unknown field, a body too complex or cut off, or DashScope refusing the request (its message is passed on).',
    upstreamOnly: true,
  },
  {
    status: 401,
    name: 'Unauthorized',
    description: 'No `Authorization` header, not `Bearer <key>`, a malformed key, or DashScope refusing the key (`invalid_api_key`).',
    upstreamOnly: false,
  },
  { status: 403, name: 'PermissionDenied', description: 'DashScope denied access (`AccessDenied*`).', upstreamOnly: true },
  {
    status: 404,
    name: 'NotFound',
    description: 'An unknown model (`model_not_found`), or an unknown route (`unknown_url`).',
    upstreamOnly: false,
  },
  { status: 408, name: 'RequestTimeout', description: 'The body did not arrive within `BODY_TIMEOUT_MS`.', upstreamOnly: true },
  { status: 413, name: 'PayloadTooLarge', description: 'The body is over `BODY_LIMIT`.', upstreamOnly: true },
  {
    status: 415,
    name: 'UnsupportedMediaType',
    description: 'A `Content-Encoding` other than gzip, deflate, br or zstd, or a charset other than UTF-8 or UTF-16.',
    upstreamOnly: true,
  },
  {
    status: 429,
    name: 'TooManyRequests',
    description: "Over one of the gateway's rate limits, or DashScope's throttling or quota (`insufficient_quota`).",
    upstreamOnly: false,
    retryAfter: true,
  },
  {
    status: 500,
    name: 'InternalServerError',
    description: 'A DashScope internal error, or a failure in the gateway.',
    upstreamOnly: false,
  },
  {
    status: 502,
    name: 'BadGateway',
    description: 'DashScope unreachable, or its answer unreadable or over a size limit.',
    upstreamOnly: true,
  },
  {
    status: 503,
    name: 'ServiceUnavailable',
    description:
      'The gateway is busy (buffer memory full), shutting down, every connection to DashScope is busy, or the model is unavailable.',
    upstreamOnly: false,
    retryAfter: true,
  },
  {
    status: 504,
    name: 'GatewayTimeout',
    description: 'No connection to DashScope, no reply in time, a silent upstream, or a stream over `STREAM_MAX_DURATION_MS`.',
    upstreamOnly: true,
  },
];

const ref = (name: string): Reference => ({ $ref: `#/components/responses/${name}` });

/** `components.responses`: one per status, every one with the OpenAI error body. */
export function errorResponseComponents(): Record<string, ResponseObject> {
  const components: Record<string, ResponseObject> = {};
  for (const { name, description, retryAfter } of ERROR_STATUSES) {
    const headers: Record<string, HeaderObject | Reference> = { 'x-request-id': { $ref: '#/components/headers/XRequestId' } };
    if (retryAfter === true) headers['retry-after'] = { $ref: '#/components/headers/RetryAfter' };
    components[name] = {
      description,
      headers,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
    };
  }
  return components;
}

/** An operation's error responses, by status, as references to the components above. */
export function errorResponsesFor(kind: 'upstream' | 'local'): Record<string, Reference> {
  const responses: Record<string, Reference> = {};
  for (const { status, name, upstreamOnly } of ERROR_STATUSES) {
    if (kind === 'upstream' || !upstreamOnly) responses[String(status)] = ref(name);
  }
  return responses;
}
