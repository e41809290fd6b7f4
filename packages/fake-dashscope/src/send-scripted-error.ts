import { DashScopeError } from './dashscope-error.js';
import type { FakeScript } from './fake-dashscope-types.js';
import { formatErrorBody } from './format-error-body.js';
import { formatErrorEvent } from './format-error-event.js';
import type { ResponseTarget } from './response-target.js';
import { sendEvents } from './send-events.js';
import { sendJson } from './send-json.js';
import { sseHeaders } from './sse-headers.js';

/**
 * The three ways a DashScope request fails (protocol §5.4): 'json' = error status + JSON body;
 * 'sse-event' = 200 + one event:error (as recorded); 'sse-body' = error status with that SSE body,
 * which both official SDKs also handle.
 */
export function sendScriptedError({
  target,
  script,
  requestId,
}: {
  target: ResponseTarget;
  script: Extract<FakeScript, { type: 'error' }>;
  requestId: string;
}): Promise<void> {
  const error = new DashScopeError(script);
  const mode = script.as ?? 'json';
  if (mode === 'json') {
    return sendJson({
      target,
      status: script.status,
      requestId,
      headers: script.headers,
      body: formatErrorBody({ code: error.code, message: error.message, requestId }),
    });
  }
  return sendEvents({
    target,
    status: mode === 'sse-event' ? 200 : script.status,
    headers: { ...sseHeaders(requestId), ...script.headers },
    frames: [formatErrorEvent({ error, requestId, id: 1 })],
  });
}
