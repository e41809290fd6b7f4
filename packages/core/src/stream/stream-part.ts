import type { GatewayError } from '../errors/gateway-error.js';

/**
 * What a translated stream yields, for any endpoint. Typed parts rather than bytes, so the HTTP layer
 * can still answer an error that comes before the first data part with a real status code.
 */
export type StreamPart<Data = unknown> = { type: 'data'; data: Data } | { type: 'error'; error: GatewayError } | { type: 'done' };
