import { tokenizeAnswer } from './tokenize-answer.js';

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
