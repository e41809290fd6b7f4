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

/** No connection to DashScope (DNS, TCP and TLS together) within the connect timeout: 504. */
export function upstreamConnectTimeout(timeoutMs: number): GatewayError {
  return new GatewayError({
    status: 504,
    type: 'server_error',
    code: 'upstream_connect_timeout',
    message: `The gateway could not connect to DashScope within ${timeoutMs} ms. Please retry.`,
  });
}

/** Every connection to DashScope stayed busy for the whole queue wait: 503, retry after a pause. */
export function upstreamBusy(retryAfterSeconds: number): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'upstream_busy',
    message: `The gateway has no free connection to DashScope right now. Please retry in ${retryAfterSeconds} s.`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/**
 * A stream ran into one of the gateway's waits: DashScope sent no event for `idle` ms (heartbeat
 * comments do not count), or the stream went on longer than `total` ms. Retrying may help the first.
 */
export function upstreamStreamTimeout(kind: 'idle' | 'total', timeoutMs: number): GatewayError {
  return new GatewayError({
    status: 504,
    type: 'server_error',
    code: kind === 'idle' ? 'upstream_timeout' : 'stream_too_long',
    message:
      kind === 'idle'
        ? `DashScope sent nothing for ${timeoutMs} ms. Please retry.`
        : `The stream was cut after the gateway's limit of ${timeoutMs} ms for one answer.`,
  });
}

/** DashScope's answer is larger than the gateway reads: deterministic, so no retry is suggested. */
export function upstreamAnswerTooLarge(what: string, limit: number): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'bad_upstream_response',
    message: `DashScope sent a response the gateway could not read: ${what} is larger than the gateway's limit of ${limit} bytes.`,
  });
}
