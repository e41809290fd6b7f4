/**
 * Request headers that reach DashScope; every other header the client or a host's proxy set (cookies,
 * forwarding headers, internal auth, SDK telemetry) is removed before the call leaves.
 * X-DashScope-WorkSpace selects a sub-workspace, which sub-account keys need.
 */
export const FORWARDED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'authorization',
  'content-type',
  'content-length',
  'accept',
  'accept-encoding',
  'x-dashscope-sse',
  'x-dashscope-workspace',
]);
