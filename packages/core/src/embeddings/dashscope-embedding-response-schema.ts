import { z } from 'zod';

/**
 * What the gateway reads from a text-embedding reply (text-embedding-nosse.json): lenient, unknown fields
 * survive. The vectors themselves are `unknown` here and checked by a plain loop: copying 2048 × 2048
 * floats through a schema costs more than the whole conversion.
 */
export const dashScopeEmbeddingResponseSchema = z.looseObject({
  output: z
    .looseObject({
      embeddings: z.array(z.looseObject({ text_index: z.unknown().optional(), embedding: z.unknown().optional() })).optional(),
    })
    .optional(),
  // DashScope reports only total_tokens for embeddings (protocol §8).
  usage: z.looseObject({ total_tokens: z.number().optional() }).optional(),
  request_id: z.string().optional(),
  // Error bodies: {"code","message","request_id"}.
  code: z.string().optional(),
});

export type DashScopeEmbeddingResponse = z.infer<typeof dashScopeEmbeddingResponseSchema>;
