import { sleep } from './sleep.js';
import { startResponse } from './start-response.js';
import type { ResponseTarget } from './response-target.js';

/**
 * Writes SSE frames one by one, waiting `eventDelayMs` between them, then ends the response:
 * DashScope closes the stream after its last event, without any `[DONE]`. With `destroyAfter`,
 * the socket is destroyed after that many frames instead (or after all of them, if fewer).
 */
export async function sendEvents({
  target,
  status,
  headers,
  frames,
  destroyAfter,
}: {
  target: ResponseTarget;
  status: number;
  headers: Record<string, string>;
  frames: ReadonlyArray<string | Uint8Array>;
  destroyAfter?: number | undefined;
}): Promise<void> {
  const writer = startResponse({ target, status, headers });
  for (const [index, frame] of frames.entries()) {
    if (index > 0) await sleep(target.eventDelayMs, target.signal);
    if (target.signal.aborted) return;
    await writer.write(frame);
    if (destroyAfter !== undefined && index + 1 >= destroyAfter) break;
  }
  if (destroyAfter !== undefined) {
    target.response.destroy();
    return;
  }
  await writer.end();
}
