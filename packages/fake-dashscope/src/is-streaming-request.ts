import type { IncomingHttpHeaders } from 'node:http';

// Either header alone turns SSE on (protocol §2): the recorded streaming calls carry only
// `Accept: text/event-stream`, the docs and SDKs use `X-DashScope-SSE: enable`.
export function isStreamingRequest(headers: IncomingHttpHeaders): boolean {
  const sse = headers['x-dashscope-sse'];
  const sseValues = Array.isArray(sse) ? sse : sse === undefined ? [] : [sse];
  if (sseValues.some((value) => value.trim().toLowerCase() === 'enable')) return true;
  return (headers.accept ?? '').toLowerCase().includes('text/event-stream');
}
