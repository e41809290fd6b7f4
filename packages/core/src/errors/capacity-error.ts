import { GatewayError } from './gateway-error.js';

/**
 * The gateway itself is out of a shared resource (buffer memory): 503 with Retry-After, for this request
 * only; the process and the other requests go on.
 */
export function serverBusy(detail: string, retryAfterSeconds = 2): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'server_busy',
    message: `The gateway is busy: ${detail} Please retry in ${retryAfterSeconds} s.`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/** The server is draining for a restart: new work is refused and streams still open at the deadline are cut. */
export function serverShuttingDown(): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'server_shutting_down',
    message: 'The gateway is restarting and cut this request. Please retry.',
    headers: { 'retry-after': '1' },
  });
}

/** The client did not read the answer for the send timeout: the gateway stopped writing to it. */
export function clientSendTimeout(timeoutMs: number): GatewayError {
  return new GatewayError({
    status: 408,
    type: 'invalid_request_error',
    code: 'client_send_timeout',
    message: `The client read nothing for ${timeoutMs} ms, so the gateway stopped sending.`,
  });
}
