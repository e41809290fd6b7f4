import type { DashScopeEndpointKind } from '../dashscope/dashscope-paths.js';

/**
 * How a model thinks (DashScope's `enable_thinking`):
 * - `none`: it never does;
 * - `optional`: only when asked (`enable_thinking: true`);
 * - `default`: unless told not to (`enable_thinking: false`);
 * - `always`: it cannot be turned off.
 */
export type ThinkingMode = 'none' | 'optional' | 'default' | 'always';

export interface ModelCapabilities {
  /** Function calling (`tools`). */
  tools: boolean;
  /** Image inputs. */
  vision: boolean;
  /** Audio inputs. */
  audio: boolean;
  /** Video inputs (a URL or a list of frames). */
  video: boolean;
  thinking: ThinkingMode;
  /**
   * DashScope answers thinking only in a stream: a non-stream call that thinks fails with "enable_thinking
   * must be set to false for non-streaming calls" (the Qwen3 family); other thinkers answer either way.
   */
  thinkingNeedsStream: boolean;
  /** DashScope refuses non-stream calls (QwQ, QVQ, Omni). */
  streamOnly: boolean;
}

/** Per-call limits of an embedding model (protocol §8). */
export interface EmbeddingLimits {
  /** Most texts in one DashScope call. */
  maxTextsPerCall: number;
  /** The output sizes `dimension` may take; the first is the default. */
  dimensions: readonly number[];
  /** Whether `dimension` may be chosen at all (v1/v2 always answer their one size). */
  dimensionSelectable: boolean;
}

/** One DashScope model the gateway knows. */
export interface CatalogueModel {
  id: string;
  /** The native endpoint that serves it. */
  endpoint: DashScopeEndpointKind;
  /** Unix seconds: when it became available on DashScope (OpenAI's meaning of `created`). */
  created: number;
  capabilities: ModelCapabilities;
  /**
   * The parameter that caps its output. `max_completion_tokens` (reasoning and answer together) on the
   * models that take DashScope's own `max_completion_tokens`; `max_tokens` on older ones, which ignore the
   * newer name, so the gateway sends an OpenAI `max_completion_tokens` to them as `max_tokens` (the same
   * meaning on a model that does not reason).
   */
  outputLimitParameter: 'max_tokens' | 'max_completion_tokens';
  /** Most output tokens per call, when documented. */
  maxOutputTokens?: number;
  /** Embedding models only. */
  embedding?: EmbeddingLimits;
}

const JANUARY_2024 = 1_704_067_200;
const SEPTEMBER_2024 = 1_725_148_800;
const JANUARY_2025 = 1_735_689_600;
const APRIL_2025 = 1_743_465_600;
const SEPTEMBER_2025 = 1_756_684_800;
const FEBRUARY_2026 = 1_769_904_000;
const APRIL_2026 = 1_775_001_600;

const textOnly: ModelCapabilities = {
  tools: true,
  vision: false,
  audio: false,
  video: false,
  thinking: 'none',
  thinkingNeedsStream: false,
  streamOnly: false,
};
/** Qwen3-generation hybrid thinkers: thinking is off by default, and only streams may think. */
const hybridThinker: ModelCapabilities = { ...textOnly, thinking: 'optional', thinkingNeedsStream: true };
const seeing: ModelCapabilities = { ...textOnly, vision: true, video: true };
const embedder: ModelCapabilities = { ...textOnly, tools: false };

function chat(
  id: string,
  endpoint: 'text-generation' | 'multimodal-generation',
  created: number,
  capabilities: ModelCapabilities,
  limits: { outputLimitParameter: CatalogueModel['outputLimitParameter']; maxOutputTokens?: number },
): CatalogueModel {
  return { id, endpoint, created, capabilities, ...limits };
}

const modern = (maxOutputTokens: number) => ({ outputLimitParameter: 'max_completion_tokens' as const, maxOutputTokens });
const legacy = (maxOutputTokens: number) => ({ outputLimitParameter: 'max_tokens' as const, maxOutputTokens });

/**
 * The one list of models, farui-plus first as the original product listed it. Facts from
 * shared/dashscope-protocol.md (§3.2, §7, §8, §9) and the recordings; where the sources are silent the
 * entry says what the model family is documented to do. A model missing here is still passed to
 * DashScope, which decides.
 */
export const MODEL_CATALOGUE: readonly CatalogueModel[] = [
  // farui-plus: tools, thinking and JSON output are not documented for it (§9); DashScope decides.
  chat('farui-plus', 'text-generation', JANUARY_2024, { ...textOnly, tools: false }, legacy(2000)),
  chat('qwen-max', 'text-generation', JANUARY_2024, textOnly, modern(8192)),
  chat('qwen-plus', 'text-generation', JANUARY_2024, hybridThinker, modern(32_768)),
  chat('qwen-plus-latest', 'text-generation', APRIL_2025, hybridThinker, modern(32_768)),
  chat('qwen-turbo', 'text-generation', JANUARY_2024, hybridThinker, modern(16_384)),
  chat('qwen-flash', 'text-generation', APRIL_2025, hybridThinker, modern(32_768)),
  chat('qwen-long', 'text-generation', JANUARY_2024, { ...textOnly, tools: false }, legacy(8192)),
  chat('qwen3-max', 'text-generation', SEPTEMBER_2025, textOnly, modern(65_536)),
  // Open-weight Qwen3 models think unless told not to.
  chat('qwen3-235b-a22b', 'text-generation', APRIL_2025, { ...hybridThinker, thinking: 'default' }, modern(16_384)),
  chat(
    'qwq-plus',
    'text-generation',
    JANUARY_2025,
    { ...textOnly, thinking: 'always', thinkingNeedsStream: true, streamOnly: true },
    modern(8192),
  ),
  chat('deepseek-r1', 'text-generation', JANUARY_2025, { ...textOnly, tools: false, thinking: 'always' }, modern(16_384)),
  // Recorded answering a non-stream call with reasoning (single-generation-message-reasoning-nosse).
  chat('deepseek-v4-pro', 'text-generation', APRIL_2026, { ...textOnly, thinking: 'default' }, modern(32_768)),
  chat('qwen-vl-plus', 'multimodal-generation', JANUARY_2024, { ...seeing, tools: false }, legacy(2048)),
  chat('qwen-vl-max', 'multimodal-generation', JANUARY_2024, { ...seeing, tools: false }, legacy(2048)),
  chat(
    'qwen3-vl-plus',
    'multimodal-generation',
    SEPTEMBER_2025,
    { ...seeing, thinking: 'optional', thinkingNeedsStream: true },
    modern(32_768),
  ),
  chat(
    'qwen3-vl-flash',
    'multimodal-generation',
    SEPTEMBER_2025,
    { ...seeing, thinking: 'optional', thinkingNeedsStream: true },
    modern(32_768),
  ),
  chat(
    'qvq-max',
    'multimodal-generation',
    APRIL_2025,
    { ...seeing, tools: false, thinking: 'always', thinkingNeedsStream: true, streamOnly: true },
    modern(8192),
  ),
  chat(
    'qvq-plus',
    'multimodal-generation',
    APRIL_2025,
    { ...seeing, tools: false, thinking: 'always', thinkingNeedsStream: true, streamOnly: true },
    modern(8192),
  ),
  chat('qwen-omni-turbo', 'multimodal-generation', JANUARY_2025, { ...seeing, audio: true, tools: false, streamOnly: true }, legacy(2048)),
  chat(
    'qwen3-omni-flash',
    'multimodal-generation',
    SEPTEMBER_2025,
    { ...seeing, audio: true, thinking: 'optional', thinkingNeedsStream: true, streamOnly: true },
    modern(16_384),
  ),
  chat('qwen-audio-turbo', 'multimodal-generation', SEPTEMBER_2024, { ...textOnly, tools: false, audio: true }, legacy(2048)),
  // The multimodal Qwen3.5+ generation: one model for text, images and video, thinking by default.
  chat(
    'qwen3.5-plus',
    'multimodal-generation',
    FEBRUARY_2026,
    { ...seeing, thinking: 'default', thinkingNeedsStream: true },
    modern(65_536),
  ),
  chat('qwen3.6-plus', 'multimodal-generation', APRIL_2026, { ...seeing, thinking: 'default', thinkingNeedsStream: true }, modern(65_536)),
  chat('qwen3.7-plus', 'multimodal-generation', APRIL_2026, { ...seeing, thinking: 'default', thinkingNeedsStream: true }, modern(65_536)),
  embedding('text-embedding-v1', JANUARY_2024, { maxTextsPerCall: 25, dimensions: [1536], dimensionSelectable: false }),
  embedding('text-embedding-v2', JANUARY_2024, { maxTextsPerCall: 25, dimensions: [1536], dimensionSelectable: false }),
  embedding('text-embedding-v3', SEPTEMBER_2024, {
    maxTextsPerCall: 10,
    dimensions: [1024, 768, 512, 256, 128, 64],
    dimensionSelectable: true,
  }),
  embedding('text-embedding-v4', APRIL_2025, {
    maxTextsPerCall: 10,
    dimensions: [1024, 2048, 1536, 768, 512, 256, 128, 64],
    dimensionSelectable: true,
  }),
];

function embedding(id: string, created: number, limits: EmbeddingLimits): CatalogueModel {
  return { id, endpoint: 'text-embedding', created, capabilities: embedder, outputLimitParameter: 'max_tokens', embedding: limits };
}
