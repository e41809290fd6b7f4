/** `chatcmpl-<DashScope request_id>`: one id that support on both sides can trace. */
export function toChatCompletionId(requestId: string | undefined, generateId: () => string): string {
  return `chatcmpl-${requestId === undefined || requestId === '' ? generateId() : requestId}`;
}
