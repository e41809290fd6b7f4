import { z } from 'zod';

/**
 * What the gateway accepts on POST /v1/embeddings: OpenAI's request body, strictly, plus DashScope's own
 * knobs (`text_type`, `instruct`) sent as extra body fields. Text only: token arrays are refused before
 * this schema runs (reject-token-input.ts), with a message saying why. `null` means "not set" wherever
 * OpenAI's schema makes a parameter nullable. An unknown field is a 400, as on chat.
 */
export const embeddingRequestSchema = z.strictObject({
  model: z.string({ error: 'is required and must be a string' }).min(1, 'must not be empty'),
  // DashScope refuses an empty text with a message that names no input; say which one here.
  input: z.union(
    [
      z.string().min(1, 'must not be an empty string'),
      z.array(z.string().min(1, 'must not be an empty string')).min(1, 'must contain at least one string'),
    ],
    { error: 'is required and must be a string or a non-empty array of strings' },
  ),
  dimensions: z.int().min(1).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  // Identifies the end user; DashScope has nothing to do with it, so it is dropped.
  user: z.string().nullish(),
  // DashScope's own knobs (protocol §8): asymmetric retrieval, and v4's task instruction.
  text_type: z.enum(['query', 'document']).nullish(),
  instruct: z.string().nullish(),
});

export type EmbeddingRequest = z.infer<typeof embeddingRequestSchema>;
