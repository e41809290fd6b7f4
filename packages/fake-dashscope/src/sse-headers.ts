/** Headers of every SSE answer: the recorded content type, and the request id the body repeats. */
export function sseHeaders(requestId: string): Record<string, string> {
  return { 'content-type': 'text/event-stream;charset=UTF-8', 'x-request-id': requestId };
}
