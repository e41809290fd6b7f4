import { z } from 'zod';
import { jsonObjectSchema } from './json-object-schema.js';

/**
 * What the gateway accepts on POST /v1/chat/completions: OpenAI's request body, strictly, plus the
 * DashScope-only knobs clients send as extra body fields. Types and OpenAI's own ranges are checked
 * here; model-specific limits are DashScope's to judge. `null` is accepted wherever OpenAI's schema
 * marks a parameter nullable and means "not set". An unknown field is a 400, as OpenAI answers it: a
 * typo silently dropped would change the answer without a word.
 */

const textPartSchema = z.strictObject({ type: z.literal('text'), text: z.string() });

const imagePartSchema = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({
    url: z.string().min(1, 'must be an http(s) or data: URL'),
    detail: z.enum(['auto', 'low', 'high']).nullish(),
  }),
});

const audioPartSchema = z.strictObject({
  type: z.literal('input_audio'),
  input_audio: z.strictObject({ data: z.string().min(1), format: z.enum(['wav', 'mp3']) }),
});

// Not OpenAI's: the video parts of DashScope's OpenAI-compatible mode, which clients written for it send.
const videoUrlPartSchema = z.strictObject({ type: z.literal('video_url'), video_url: z.strictObject({ url: z.string().min(1) }) });
const videoFramesPartSchema = z.strictObject({ type: z.literal('video'), video: z.array(z.string().min(1)).min(1) });

const refusalPartSchema = z.strictObject({ type: z.literal('refusal'), refusal: z.string() });

const partsError = (allowed: string) => `must be a string or a non-empty array of content parts (${allowed})`;

/** A string, or an array of text parts (how the SDKs send multi-part text). */
const textContentSchema = z.union([z.string(), z.array(textPartSchema).min(1)], {
  error: partsError('{"type":"text","text":"..."}'),
});

const userPartSchema = z.discriminatedUnion(
  'type',
  [imagePartSchema, textPartSchema, audioPartSchema, videoUrlPartSchema, videoFramesPartSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? "must have a 'type' of 'text', 'image_url', 'input_audio', 'video_url' or 'video'" : undefined,
  },
);
const userContentSchema = z.union([z.string(), z.array(userPartSchema).min(1)], {
  error: partsError('text, image_url, input_audio, video_url or video'),
});

const assistantContentSchema = z.union([z.string(), z.array(z.discriminatedUnion('type', [textPartSchema, refusalPartSchema])).min(1)], {
  error: partsError('text or refusal'),
});

const nameSchema = z.string().min(1).optional();

export const toolCallSchema = z.strictObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
});

const systemMessageSchema = z.strictObject({ role: z.literal('system'), content: textContentSchema, name: nameSchema });
const developerMessageSchema = z.strictObject({ role: z.literal('developer'), content: textContentSchema, name: nameSchema });
const userMessageSchema = z.strictObject({ role: z.literal('user'), content: userContentSchema, name: nameSchema });
const assistantMessageSchema = z.strictObject({
  role: z.literal('assistant'),
  content: assistantContentSchema.nullish(),
  name: nameSchema,
  refusal: z.string().nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
  // The thinking of an earlier turn, as reasoning models' own APIs return it; DashScope takes it back.
  reasoning_content: z.string().nullish(),
  function_call: z.null().optional(),
  audio: z.null().optional(),
});
const toolMessageSchema = z.strictObject({
  role: z.literal('tool'),
  content: textContentSchema,
  tool_call_id: z.string({ error: 'is required and must be a string' }).min(1),
  // Not in OpenAI's schema, but LangChain sends the tool's name, and OpenAI accepts it; the call id says
  // everything DashScope needs, so it is not sent.
  name: z.string().nullish(),
});

export const chatMessageSchema = z.discriminatedUnion(
  'role',
  [systemMessageSchema, developerMessageSchema, userMessageSchema, assistantMessageSchema, toolMessageSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? "must have a 'role' of 'system', 'developer', 'user', 'assistant' or 'tool'" : undefined,
  },
);

const stopSchema = z.union([z.string(), z.array(z.string()).min(1).max(4)], {
  error: 'must be a string or an array of 1 to 4 strings',
});

const streamOptionsSchema = z.strictObject({
  include_usage: z.boolean().nullish(),
  include_obfuscation: z.boolean().nullish(),
});

const jsonObject = jsonObjectSchema;

export const functionToolSchema = z.strictObject({
  type: z.literal('function'),
  function: z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, underscores or dashes'),
    description: z.string().nullish(),
    parameters: jsonObject.nullish(),
    strict: z.boolean().nullish(),
  }),
});

const namedToolChoiceSchema = z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: z.string().min(1) }) });

const responseFormatSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('text') }),
    z.strictObject({ type: z.literal('json_object') }),
    z.strictObject({
      type: z.literal('json_schema'),
      json_schema: z.strictObject({
        name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, underscores or dashes'),
        description: z.string().nullish(),
        schema: jsonObject.nullish(),
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? "must have a 'type' of 'text', 'json_object' or 'json_schema'" : undefined) },
);

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
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  n: z.int().min(1).max(128).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().min(0).max(20).nullish(),
  response_format: responseFormatSchema.nullish(),
  tools: z.array(functionToolSchema).nullish(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), namedToolChoiceSchema], {
      error: 'must be "none", "auto", "required" or {"type":"function","function":{"name":"..."}}',
    })
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
  web_search_options: jsonObject.nullish(),
  // Identify the end user or a cache bucket; DashScope has nothing to do with them, so they are dropped.
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  prompt_cache_key: z.string().nullish(),
  // Typed here, refused by the parameter table unless their value is a no-op (see chat-parameter-table.ts).
  functions: z.array(z.unknown()).nullish(),
  function_call: z.union([z.enum(['none', 'auto']), jsonObject]).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  modalities: z.array(z.enum(['text', 'audio'])).nullish(),
  audio: jsonObject.nullish(),
  prediction: jsonObject.nullish(),
  verbosity: z.enum(['low', 'medium', 'high']).nullish(),
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullish(),
  // DashScope's own knobs, sent by clients as extra body fields; they go to `parameters` unchanged.
  top_k: z.int().min(0).nullish(),
  repetition_penalty: z.number().gt(0).nullish(),
  enable_search: z.boolean().nullish(),
  search_options: jsonObject.nullish(),
  enable_thinking: z.boolean().nullish(),
  thinking_budget: z.int().min(1).nullish(),
  vl_high_resolution_images: z.boolean().nullish(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type TextContent = z.infer<typeof textContentSchema>;
export type UserContentPart = z.infer<typeof userPartSchema>;
export type AssistantContent = z.infer<typeof assistantContentSchema>;
export type ChatToolCall = z.infer<typeof toolCallSchema>;
export type FunctionTool = z.infer<typeof functionToolSchema>;
