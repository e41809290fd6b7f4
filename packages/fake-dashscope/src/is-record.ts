/** A JSON object (not an array, not null): the shape every DashScope body and nested field must have. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
