import { startResponse } from './start-response.js';
import type { ResponseTarget } from './response-target.js';

/**
 * A JSON answer, chunked like DashScope's (no content-length). `truncate` writes only the first half
 * of the body and then destroys the socket, to simulate a connection lost mid-body.
 */
export async function sendJson({
  target,
  status,
  requestId,
  body,
  headers = {},
  truncate = false,
}: {
  target: ResponseTarget;
  status: number;
  requestId: string;
  body: string;
  headers?: Record<string, string> | undefined;
  truncate?: boolean;
}): Promise<void> {
  const writer = startResponse({
    target,
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
  });
  if (truncate) {
    const bytes = Buffer.from(body, 'utf8');
    await writer.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    target.response.destroy();
    return;
  }
  await writer.write(body);
  await writer.end();
}
