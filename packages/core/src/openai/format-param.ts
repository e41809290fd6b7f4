/** `['messages', 0, 'content']` → `messages[0].content`, the form clients see in `error.param`. */
export function formatParam(path: readonly PropertyKey[]): string {
  return path.reduce<string>((param, key) => {
    if (typeof key === 'number') return `${param}[${key}]`;
    return param === '' ? String(key) : `${param}.${String(key)}`;
  }, '');
}
