import { echo } from './answer-text.js';

// The thinking a reasoning model streams before its answer (`reasoning_content`). Like the recorded
// ones it opens with 嗯 and mixes Chinese and English; echoing the user keeps it deterministic and
// telling.

const REASONING_ECHO_LENGTH = 20;

export function generateReasoning({ lastUserText, toolNames }: { lastUserText: string; toolNames: readonly string[] }): string {
  const plan = toolNames.length > 0 ? `我需要调用工具 ${[...new Set(toolNames)].join(', ')}。` : 'Let me answer step by step.';
  return `嗯，用户说的是「${echo(lastUserText, REASONING_ECHO_LENGTH)}」。让我想想怎么回答。${plan}`;
}
