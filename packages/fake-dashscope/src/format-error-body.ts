// Key order as recorded in auth-error-nosse and parameter-error-*.
export function formatErrorBody({ code, message, requestId }: { code: string; message: string; requestId: string }): string {
  return JSON.stringify({ code, message, request_id: requestId });
}
