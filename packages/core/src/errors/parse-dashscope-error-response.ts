import { parseJsonSafely } from '../dashscope/parse-json-safely.js';
import { dashScopeErrorFromBody } from './dashscope-error-from-body.js';
import type { GatewayError } from './gateway-error.js';

export interface DashScopeErrorResponse {
  status: number;
  contentType: string | undefined;
  /** The decoded body text (JSON, or SSE whose first `data:` line is the error). */
  text: string;
  retryAfter?: string | undefined;
}

/**
 * A non-200 DashScope answer → GatewayError. DashScope answers failures as JSON, but a streaming request
 * may also fail with a non-200 SSE body whose first `data:` line is the error (both SDKs read it so).
 */
export function parseDashScopeErrorResponse({ status, contentType, text, retryAfter }: DashScopeErrorResponse): GatewayError {
  const json = contentType?.toLowerCase().includes('text/event-stream') ? firstSseData(text) : text;
  return dashScopeErrorFromBody({ body: parseJsonSafely(json), status, retryAfter });
}

function firstSseData(text: string): string {
  const line = text.split(/\r\n|\r|\n/).find((candidate) => candidate.startsWith('data:'));
  return line === undefined ? '' : line.slice(5);
}
