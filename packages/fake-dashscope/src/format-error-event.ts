import type { DashScopeError } from './dashscope-error.js';
import { formatErrorBody } from './format-error-body.js';
import { formatSseEvent } from './format-sse-event.js';

/** An `event:error` frame carrying the error's real status in the `:HTTP_STATUS/` line (parameter-error-sse). */
export function formatErrorEvent({ error, requestId, id }: { error: DashScopeError; requestId: string; id: number }): string {
  return formatSseEvent({
    id,
    event: 'error',
    status: error.status,
    data: formatErrorBody({ code: error.code, message: error.message, requestId }),
  });
}
