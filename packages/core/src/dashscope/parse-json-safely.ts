/** JSON.parse that answers `undefined` for text that is not JSON (the lenient schemas then refuse it). */
export function parseJsonSafely(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
