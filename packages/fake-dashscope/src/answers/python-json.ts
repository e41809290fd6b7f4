/**
 * JSON text the way Python's `json.dumps(value, ensure_ascii=False)` writes it: ", " between items
 * and ": " after keys. DashScope's tool-call arguments come out in exactly this form
 * (`{"location": "浙江省杭州市"}` in single-generation-message-with-tools-nosse).
 */
export function toPythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(toPythonJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${toPythonJson(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
