import { findCatalogueModel, type CatalogueModel, type EmbeddingLimits, type ModelCapabilities } from '@gw/core';

// What the fake needs to know about a model to answer like DashScope would. The gateway decides from
// the same catalogue, so a fake that followed its own table could hide a gateway that misreads it.

export interface ModelFacts {
  capabilities: ModelCapabilities;
  outputLimitParameter: CatalogueModel['outputLimitParameter'];
  /** The largest output cap the model takes; undefined for models the catalogue does not know. */
  maxOutputTokens: number | undefined;
  /** Whether the catalogue vouches for these capabilities (extra test models get neutral ones). */
  catalogued: boolean;
  embedding: EmbeddingLimits;
}

// Extra models given through the fake's options are test inventions: they get the facts that
// constrain least (tools, thinking only when asked), except that thinking needs a stream, as it does
// for most of DashScope's thinkers.
const NEUTRAL_CAPABILITIES: ModelCapabilities = {
  tools: true,
  vision: false,
  audio: false,
  video: false,
  thinking: 'optional',
  thinkingNeedsStream: true,
  streamOnly: false,
};
const NEUTRAL_EMBEDDING: EmbeddingLimits = {
  maxTextsPerCall: 10,
  dimensions: [1024, 768, 512, 256, 128, 64],
  dimensionSelectable: true,
};

export function modelFacts(modelId: string): ModelFacts {
  const entry = findCatalogueModel(modelId);
  return {
    capabilities: entry?.capabilities ?? NEUTRAL_CAPABILITIES,
    // An unknown model honours both limits, so a test can use either.
    outputLimitParameter: entry?.outputLimitParameter ?? 'max_completion_tokens',
    maxOutputTokens: entry?.maxOutputTokens,
    catalogued: entry !== undefined,
    embedding: entry?.embedding ?? NEUTRAL_EMBEDDING,
  };
}
