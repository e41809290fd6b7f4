// Real Qwen tokens are one to a few characters; a fixed cycle of sizes keeps the fake deterministic.
// Splitting code points (not UTF-16 units) never separates the halves of a surrogate pair.
const TOKEN_SIZES = [2, 1, 3, 1, 2] as const;

export function tokenizeAnswer(text: string): string[] {
  const codePoints = Array.from(text);
  const tokens: string[] = [];
  for (let index = 0, turn = 0; index < codePoints.length; turn += 1) {
    const size = TOKEN_SIZES[turn % TOKEN_SIZES.length] ?? 1;
    tokens.push(codePoints.slice(index, index + size).join(''));
    index += size;
  }
  return tokens;
}
