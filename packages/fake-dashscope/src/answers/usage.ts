import type { GenerationRequest } from '../requests/generation-request.js';
import { countTextTokens } from './answer-text.js';

// Token usage: what the input costs, and the `usage` object in each recorded layout.

// Fixed per-item costs; real media tokens depend on resolution and length (1247 and 3577 image tokens
// in the recordings). Fixed values let tests see exactly which media arrived.
export const TOKENS_PER_IMAGE = 256;
export const TOKENS_PER_AUDIO = 128;
export const TOKENS_PER_VIDEO = 1024;

export interface InputUsage {
  /** Everything: text, tool definitions and media. */
  inputTokens: number;
  textTokens: number;
  imageTokens: number;
  audioTokens: number;
  videoTokens: number;
}

/** Input-side usage: text tokens of all messages and tool definitions (at least 1) plus media tokens. */
export function countGenerationInput(request: Pick<GenerationRequest, 'inputTexts' | 'media' | 'toolsText'>): InputUsage {
  const textTokens = Math.max(
    1,
    request.inputTexts.reduce((sum, text) => sum + countTextTokens(text), 0) + countTextTokens(request.toolsText),
  );
  const imageTokens = request.media.images * TOKENS_PER_IMAGE;
  const audioTokens = request.media.audios * TOKENS_PER_AUDIO;
  const videoTokens = request.media.videos * TOKENS_PER_VIDEO;
  return { inputTokens: textTokens + imageTokens + audioTokens + videoTokens, textTokens, imageTokens, audioTokens, videoTokens };
}

export interface OutputUsage {
  /** Reasoning and answer together. */
  outputTokens: number;
  reasoningTokens: number;
}

/**
 * The `usage` object, key for key as recorded:
 * - text endpoint: single-generation-message-with-tools-sse (streams) / single-generation-text-nosse;
 *   thinking: single-generation-message-reasoning-sse (streams) / -reasoning-nosse;
 * - multimodal: multimodal-generation-vl-sse / -nosse (no total_tokens); thinking: the 2026 layout of
 *   multimodal-generation-message-with-tools-sse, with input and output details.
 */
export function usageJson({
  request,
  input,
  output,
  streaming,
}: {
  request: Pick<GenerationRequest, 'endpoint' | 'thinking'>;
  input: InputUsage;
  output: OutputUsage;
  streaming: boolean;
}): Record<string, unknown> {
  const total = input.inputTokens + output.outputTokens;
  const thinking = request.thinking.enabled;
  if (request.endpoint === 'multimodal-generation') {
    const media = mediaTokens(input);
    if (thinking) {
      return {
        input_tokens_details: { ...media, text_tokens: input.textTokens },
        prompt_tokens_details: {},
        total_tokens: total,
        output_tokens: output.outputTokens,
        input_tokens: input.inputTokens,
        output_tokens_details: { reasoning_tokens: output.reasoningTokens, text_tokens: output.outputTokens - output.reasoningTokens },
        ...media,
      };
    }
    return streaming
      ? { input_tokens: input.inputTokens, output_tokens: output.outputTokens, ...media }
      : { output_tokens: output.outputTokens, input_tokens: input.inputTokens, ...media };
  }
  if (thinking && streaming) {
    return {
      total_tokens: total,
      output_tokens: output.outputTokens,
      input_tokens: input.inputTokens,
      output_tokens_details: { reasoning_tokens: output.reasoningTokens },
    };
  }
  if (thinking) {
    return {
      input_tokens: input.inputTokens,
      output_tokens: output.outputTokens,
      output_tokens_details: { reasoning_tokens: output.reasoningTokens },
      prompt_tokens_details: { cached_tokens: 0 },
      total_tokens: total,
    };
  }
  return {
    total_tokens: total,
    output_tokens: output.outputTokens,
    input_tokens: input.inputTokens,
    prompt_tokens_details: { cached_tokens: 0 },
  };
}

function mediaTokens(input: InputUsage): Record<string, number> {
  return {
    ...(input.imageTokens > 0 ? { image_tokens: input.imageTokens } : {}),
    ...(input.videoTokens > 0 ? { video_tokens: input.videoTokens } : {}),
    ...(input.audioTokens > 0 ? { audio_tokens: input.audioTokens } : {}),
  };
}
