/** A JSON object (not null, not an array): what DashScope's bodies and a client's messages must be. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
