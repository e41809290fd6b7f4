// The fake's deterministic answer text and its tokens. Answers mix ASCII, CJK and an astral-plane
// emoji so every answer exercises UTF-8 splitting and surrogate pairs in the gateway; echoing the
// request makes answers easy to tell apart in tests.

const ECHO_LENGTH = 40;

/** The first `length` code points of a text (never half a surrogate pair). */
export function echo(text: string, length: number): string {
  return Array.from(text).slice(0, length).join('');
}

/** What tells the n alternative answers (choices) apart: nothing on the first, " (2)" on the second, ... */
export function variantSuffix(variant: number): string {
  return variant === 0 ? '' : ` (${variant + 1})`;
}

/**
 * The default answer: it echoes the last user message, or, when the conversation ends with tool
 * results, those results (so a test sees they reached the model).
 */
export function generateAnswer({
  lastUserText,
  toolResults = [],
  variant = 0,
}: {
  lastUserText: string;
  toolResults?: readonly string[];
  variant?: number;
}): string {
  const said =
    toolResults.length > 0
      ? `Tool results: ${toolResults.map((result) => echo(result, ECHO_LENGTH)).join('; ')}`
      : `You said: ${echo(lastUserText, ECHO_LENGTH)}`;
  return `您好！这是模拟的 DashScope 回答 😊 ${said}${variantSuffix(variant)}`;
}

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

// A stand-in for the tokenizer when only a count is needed: about two characters per token, close to
// Qwen's ratio for mixed Chinese/English text, and deterministic so tests can assert usage numbers.
export function countTextTokens(text: string): number {
  return Math.ceil(Array.from(text).length / 2);
}

export interface AnswerPlan {
  tokens: string[];
  finishReason: 'stop' | 'length';
}

/**
 * Applies the request's limits to the answer text: the text is cut before the first stop string
 * (finish "stop"), then at most `maxTokens` tokens are kept (finish "length"). A scripted finish
 * reason overrides the computed one.
 */
export function planAnswer({
  text,
  stop,
  maxTokens,
  finishReason,
}: {
  text: string;
  stop: readonly string[];
  maxTokens: number | undefined;
  finishReason?: 'stop' | 'length' | undefined;
}): AnswerPlan {
  const stopAt = Math.min(...stop.map((sequence) => text.indexOf(sequence)).filter((index) => index >= 0), text.length);
  const tokens = tokenizeAnswer(text.slice(0, stopAt));
  const truncated = maxTokens !== undefined && tokens.length > maxTokens;
  return {
    tokens: truncated ? tokens.slice(0, maxTokens) : tokens,
    finishReason: finishReason ?? (truncated ? 'length' : 'stop'),
  };
}
