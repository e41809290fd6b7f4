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
