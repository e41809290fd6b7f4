import { GatewayError } from './gateway-error.js';

/** DashScope could not be reached or broke the connection: 502, as OpenAI-style clients expect. */
export function upstreamUnreachable(cause: unknown): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'upstream_unreachable',
    message: 'The gateway could not reach DashScope. Please retry.',
    cause,
  });
}

/** DashScope did not answer (or stopped sending) within the gateway's upstream timeout: 504. */
export function upstreamTimeout(cause?: unknown): GatewayError {
  return new GatewayError({
    status: 504,
    type: 'server_error',
    code: 'upstream_timeout',
    message: 'DashScope did not respond in time. Please retry.',
    cause,
  });
}

/** DashScope answered something the gateway cannot read (not JSON, not the documented shape). */
export function badUpstreamResponse(detail: string): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'bad_upstream_response',
    message: `DashScope sent a response the gateway could not read: ${detail}`,
  });
}

/** DashScope closed a stream without its finish event. */
export function upstreamStreamTruncated(): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'upstream_stream_truncated',
    message: 'DashScope ended the stream before the answer was finished.',
  });
}

/** The connection to DashScope broke while its answer was arriving. */
export function upstreamConnectionLost(cause: unknown): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'upstream_connection_lost',
    message: 'The connection to DashScope broke before the answer was complete. Please retry.',
    cause,
  });
}
