import { z } from 'zod';

/**
 * What the gateway accepts on POST /v1/chat/completions: OpenAI's request body, strictly. Types and
 * OpenAI's own ranges are checked here; model-specific limits are DashScope's to judge.
 * `null` is accepted wherever OpenAI's schema marks a parameter nullable and means "not set".
 */

const textPartSchema = z.strictObject({ type: z.literal('text'), text: z.string() });

/** A string, or an array of text parts (how the SDKs send multi-part text). */
const textContentSchema = z.union([z.string(), z.array(textPartSchema).min(1)], {
  error: 'must be a string or a non-empty array of text content parts ({"type":"text","text":"..."})',
});

const nameSchema = z.string().min(1).optional();

const systemMessageSchema = z.strictObject({ role: z.literal('system'), content: textContentSchema, name: nameSchema });
const developerMessageSchema = z.strictObject({ role: z.literal('developer'), content: textContentSchema, name: nameSchema });
const userMessageSchema = z.strictObject({ role: z.literal('user'), content: textContentSchema, name: nameSchema });
const assistantMessageSchema = z.strictObject({
  role: z.literal('assistant'),
  content: textContentSchema.nullish(),
  name: nameSchema,
  refusal: z.string().nullish(),
  // Present but empty in some clients' histories; non-empty values are refused earlier as unsupported.
  tool_calls: z.array(z.unknown()).max(0).nullish(),
  function_call: z.null().optional(),
  audio: z.null().optional(),
});

export const chatMessageSchema = z.discriminatedUnion(
  'role',
  [systemMessageSchema, developerMessageSchema, userMessageSchema, assistantMessageSchema],
  {
    error: (issue) => (issue.code === 'invalid_union' ? "must have a 'role' of 'system', 'developer', 'user' or 'assistant'" : undefined),
  },
);

const stopSchema = z.union([z.string(), z.array(z.string()).min(1).max(4)], {
  error: 'must be a string or an array of 1 to 4 strings',
});

const streamOptionsSchema = z.strictObject({
  include_usage: z.boolean().nullish(),
  include_obfuscation: z.boolean().nullish(),
});

const jsonObject = z.record(z.string(), z.unknown());

export const chatCompletionRequestSchema = z.strictObject({
  model: z.string({ error: 'is required and must be a string' }).min(1, 'must not be empty'),
  messages: z
    .array(chatMessageSchema, { error: 'is required and must be an array of messages' })
    .min(1, 'must contain at least one message'),
  stream: z.boolean().nullish(),
  stream_options: streamOptionsSchema.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  stop: stopSchema.nullish(),
  seed: z.int().nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  // Identify the end user or a cache bucket; DashScope has nothing to do with them, so they are dropped.
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  prompt_cache_key: z.string().nullish(),
  // Only meaningful with tools; without them it changes nothing.
  parallel_tool_calls: z.boolean().nullish(),
  // Typed here, refused by the parameter table unless their value is a no-op (see chat-parameter-table.ts).
  tools: z.array(z.unknown()).nullish(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), jsonObject]).nullish(),
  functions: z.array(z.unknown()).nullish(),
  function_call: z.union([z.enum(['none', 'auto']), jsonObject]).nullish(),
  n: z.int().min(1).max(128).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().min(0).max(20).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  response_format: z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) }).nullish(),
  modalities: z.array(z.enum(['text', 'audio'])).nullish(),
  audio: jsonObject.nullish(),
  prediction: jsonObject.nullish(),
  web_search_options: jsonObject.nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
  verbosity: z.enum(['low', 'medium', 'high']).nullish(),
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullish(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type TextContent = z.infer<typeof textContentSchema>;
