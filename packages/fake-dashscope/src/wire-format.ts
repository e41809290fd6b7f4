import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

// DashScope's native wire format, both directions: the error, SSE frames and headers it answers
// with, and the body and headers it reads from a request.

// The one error the request parsers throw; the request handler turns it into DashScope's flat
// error body `{"code","message","request_id"}` (protocol §6.1), as JSON or as an `event:error`.
export class DashScopeError extends Error {
  readonly status: number;
  readonly code: string;

  constructor({ status, code, message }: { status: number; code: string; message: string }) {
    super(message);
    this.name = 'DashScopeError';
    this.status = status;
    this.code = code;
  }
}

/** The 400 InvalidParameter DashScope uses for nearly every bad request field. */
export function invalidParameter(message: string): DashScopeError {
  return new DashScopeError({ status: 400, code: 'InvalidParameter', message });
}

// DashScope's frame (protocol §5.1): no space after the colons, the real status in a comment line,
// one data line, then a blank line. Result events carry `:HTTP_STATUS/200`, error events the error's status.
export function formatSseEvent({
  id,
  event,
  status,
  data,
}: {
  id: number;
  event: 'result' | 'error';
  status: number;
  data: string;
}): string {
  return `id:${id}\nevent:${event}\n:HTTP_STATUS/${status}\ndata:${data}\n\n`;
}

// Key order as recorded in auth-error-nosse and parameter-error-*.
export function formatErrorBody({ code, message, requestId }: { code: string; message: string; requestId: string }): string {
  return JSON.stringify({ code, message, request_id: requestId });
}

/** An `event:error` frame carrying the error's real status in the `:HTTP_STATUS/` line (parameter-error-sse). */
export function formatErrorEvent({ error, requestId, id }: { error: DashScopeError; requestId: string; id: number }): string {
  return formatSseEvent({
    id,
    event: 'error',
    status: error.status,
    data: formatErrorBody({ code: error.code, message: error.message, requestId }),
  });
}

/** Headers of every SSE answer: the recorded content type, and the request id the body repeats. */
export function sseHeaders(requestId: string): Record<string, string> {
  return { 'content-type': 'text/event-stream;charset=UTF-8', 'x-request-id': requestId };
}

// Large enough for base64 images in multimodal requests, small enough that a runaway client cannot
// exhaust a test process.
const DEFAULT_LIMIT_BYTES = 16 * 1024 * 1024;

/** The whole request body as UTF-8; bytes beyond the limit are drained and dropped (`tooLarge`). */
export async function readRequestBody(
  request: IncomingMessage,
  limitBytes: number = DEFAULT_LIMIT_BYTES,
): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size <= limitBytes) chunks.push(bytes);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > limitBytes };
}

export type ParsedRequestBody = { isJson: true; value: unknown } | { isJson: false; value: string };

/** JSON when it parses (a leading byte-order mark is tolerated), else the raw text. */
export function parseRequestBody(text: string): ParsedRequestBody {
  const withoutBom = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return { isJson: true, value: JSON.parse(withoutBom) as unknown };
  } catch {
    return { isJson: false, value: text };
  }
}

/** The key of `Authorization: Bearer <key>`, or undefined when the header is missing or not Bearer. */
export function extractApiKey(headers: IncomingHttpHeaders): string | undefined {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

// Either header alone turns SSE on (protocol §2): the recorded streaming calls carry only
// `Accept: text/event-stream`, the docs and SDKs use `X-DashScope-SSE: enable`.
export function isStreamingRequest(headers: IncomingHttpHeaders): boolean {
  const sse = headers['x-dashscope-sse'];
  const sseValues = Array.isArray(sse) ? sse : sse === undefined ? [] : [sse];
  if (sseValues.some((value) => value.trim().toLowerCase() === 'enable')) return true;
  return (headers.accept ?? '').toLowerCase().includes('text/event-stream');
}
