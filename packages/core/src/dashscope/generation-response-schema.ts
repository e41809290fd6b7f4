import { z } from 'zod';

/**
 * What the gateway reads from DashScope's text-generation replies, non-stream bodies and SSE `data:`
 * payloads alike. Lenient: unknown fields survive, and every field the gateway does not need is optional,
 * because DashScope adds fields often and older models omit some (e.g. `total_tokens` on qwen-vl).
 */

/** `content` is a string for text models and an array of `{text}` items for multimodal ones. */
const contentSchema = z.union([z.string(), z.array(z.looseObject({ text: z.string().optional() }))]).nullish();

export const dashScopeChoiceSchema = z.looseObject({
  index: z.number().optional(),
  finish_reason: z.string().nullish(),
  message: z
    .looseObject({
      role: z.string().optional(),
      content: contentSchema,
      reasoning_content: z.string().nullish(),
    })
    .optional(),
});

export const dashScopeUsageSchema = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  total_tokens: z.number().optional(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().optional() }).optional(),
  output_tokens_details: z.looseObject({ reasoning_tokens: z.number().optional() }).optional(),
});

export const dashScopeGenerationResponseSchema = z.looseObject({
  output: z
    .looseObject({
      choices: z.array(dashScopeChoiceSchema).optional(),
      // result_format "text" (DashScope's default, should a model ignore "message"):
      text: z.string().nullish(),
      finish_reason: z.string().nullish(),
    })
    .optional(),
  usage: dashScopeUsageSchema.optional(),
  request_id: z.string().optional(),
  // Error bodies: {"code","message","request_id"}; the SDKs also accept `msg`.
  code: z.string().optional(),
  message: z.string().optional(),
  msg: z.string().optional(),
});

export type DashScopeGenerationResponse = z.infer<typeof dashScopeGenerationResponseSchema>;
export type DashScopeUsage = z.infer<typeof dashScopeUsageSchema>;
export type DashScopeChoice = z.infer<typeof dashScopeChoiceSchema>;

export const dashScopeErrorBodySchema = z.looseObject({
  code: z.string().optional(),
  message: z.string().optional(),
  msg: z.string().optional(),
  request_id: z.string().optional(),
});
