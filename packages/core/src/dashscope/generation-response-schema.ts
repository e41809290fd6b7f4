import { z } from 'zod';

/**
 * What the gateway reads from DashScope's text-generation replies, non-stream bodies and SSE `data:`
 * payloads alike. Lenient: unknown fields survive, and every field the gateway does not need is optional,
 * because DashScope adds fields often and older models omit some (e.g. `total_tokens` on qwen-vl).
 */

/** `content` is a string for text models and an array of `{text}` items for multimodal ones. */
const contentSchema = z.union([z.string(), z.array(z.looseObject({ text: z.string().optional() }))]).nullish();

/**
 * A tool call, whole (non-stream) or a fragment of one (stream): later fragments carry `"id":""` and no
 * name, only more argument text (protocol §5.3).
 */
export const dashScopeToolCallSchema = z.looseObject({
  index: z.number().optional(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

const tokenLogprobSchema = z.looseObject({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number()).nullish(),
});

/** The same shape as OpenAI's (single-generation-message-logprobs-nosse). */
export const dashScopeLogprobsSchema = z.looseObject({
  content: z.array(z.looseObject({ ...tokenLogprobSchema.shape, top_logprobs: z.array(tokenLogprobSchema).nullish() })).nullish(),
});

export const dashScopeChoiceSchema = z.looseObject({
  index: z.number().optional(),
  finish_reason: z.string().nullish(),
  message: z
    .looseObject({
      role: z.string().optional(),
      content: contentSchema,
      reasoning_content: z.string().nullish(),
      tool_calls: z.array(dashScopeToolCallSchema).nullish(),
    })
    .optional(),
  logprobs: dashScopeLogprobsSchema.nullish(),
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
export type DashScopeToolCallFragment = z.infer<typeof dashScopeToolCallSchema>;
export type DashScopeLogprobs = z.infer<typeof dashScopeLogprobsSchema>;

export const dashScopeErrorBodySchema = z.looseObject({
  code: z.string().optional(),
  message: z.string().optional(),
  msg: z.string().optional(),
  request_id: z.string().optional(),
});
