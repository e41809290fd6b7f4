import { z } from 'zod';

/**
 * The bodies the gateway answers, as zod schemas, for its OpenAPI document only: the converters are typed
 * by chat-response-types.ts and never parse with these. A test feeds the converters' real output through
 * them (and checks nothing is stripped), so the document cannot drift from what clients receive.
 * Plain (non-strict) objects: a client should not be told that a field can never be added.
 */

const unixSeconds = z.int().min(0).meta({ description: 'Unix seconds.' });

export const completionUsageSchema = z
  .object({
    prompt_tokens: z.int().min(0).meta({ description: "DashScope's `input_tokens`." }),
    completion_tokens: z.int().min(0).meta({ description: "DashScope's `output_tokens`." }),
    total_tokens: z.int().min(0),
    prompt_tokens_details: z.object({ cached_tokens: z.int().min(0) }).optional(),
    completion_tokens_details: z.object({ reasoning_tokens: z.int().min(0) }).optional(),
  })
  .meta({ description: 'Token counts, as DashScope reports them.' });

const topLogprobSchema = z.object({ token: z.string(), logprob: z.number(), bytes: z.array(z.int()).nullable() });

export const tokenLogprobSchema = topLogprobSchema.extend({ top_logprobs: z.array(topLogprobSchema) });

export const choiceLogprobsSchema = z
  .object({ content: z.array(tokenLogprobSchema).nullable(), refusal: z.null() })
  .meta({ description: 'Present (non-null) only when the request asked for `logprobs`.' });

const finishReasonSchema = z.enum(['stop', 'length', 'tool_calls', 'content_filter']);

export const messageToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string().meta({ description: 'JSON text, as the model wrote it.' }) }),
});

const reasoningContent = z.string().meta({ description: 'The thinking of models that think (Qwen3, QwQ, deepseek-r1…).' });

export const chatCompletionSchema = z.object({
  id: z.string().meta({ description: "`chatcmpl-` and DashScope's request id." }),
  object: z.literal('chat.completion'),
  created: unixSeconds,
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.int().min(0),
      message: z.object({
        role: z.literal('assistant'),
        content: z.string().nullable().meta({ description: 'Null when the message only calls tools.' }),
        refusal: z.null(),
        reasoning_content: reasoningContent.optional(),
        tool_calls: z.array(messageToolCallSchema).optional(),
      }),
      logprobs: choiceLogprobsSchema.nullable(),
      finish_reason: finishReasonSchema,
    }),
  ),
  usage: completionUsageSchema,
});

export const chunkToolCallSchema = z
  .object({
    index: z.int().min(0).meta({ description: 'Which call this piece belongs to: 0, 1, … in the order calls start.' }),
    id: z.string().optional(),
    type: z.literal('function').optional(),
    function: z.object({ name: z.string().optional(), arguments: z.string() }),
  })
  .meta({ description: "A piece of a tool call: `id`, `type` and `function.name` on a call's first piece only, argument text after." });

export const chatCompletionChunkSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: unixSeconds,
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.int().min(0),
      delta: z.object({
        role: z.literal('assistant').optional(),
        content: z.string().optional(),
        refusal: z.null().optional(),
        reasoning_content: reasoningContent.optional(),
        tool_calls: z.array(chunkToolCallSchema).optional(),
      }),
      logprobs: choiceLogprobsSchema.nullable(),
      finish_reason: finishReasonSchema.nullable(),
    }),
  ),
  usage: completionUsageSchema
    .nullable()
    .optional()
    .meta({ description: 'Only with `stream_options.include_usage`: null on every chunk but the last, which has `choices: []`.' }),
});

const textLogprobsSchema = z.object({
  tokens: z.array(z.string()),
  token_logprobs: z.array(z.number()),
  top_logprobs: z.array(z.record(z.string(), z.number())).nullable(),
  text_offset: z.array(z.int()),
});

const textCompletionFields = {
  id: z.string(),
  object: z.literal('text_completion'),
  created: unixSeconds,
  model: z.string(),
};

export const textCompletionSchema = z.object({
  ...textCompletionFields,
  choices: z.array(
    z.object({ index: z.int().min(0), text: z.string(), logprobs: textLogprobsSchema.nullable(), finish_reason: finishReasonSchema }),
  ),
  usage: completionUsageSchema.optional(),
});

export const textCompletionChunkSchema = z.object({
  ...textCompletionFields,
  choices: z.array(
    z.object({
      index: z.int().min(0),
      text: z.string(),
      logprobs: textLogprobsSchema.nullable(),
      finish_reason: finishReasonSchema.nullable(),
    }),
  ),
  usage: completionUsageSchema.nullable().optional(),
});

export const embeddingListSchema = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      object: z.literal('embedding'),
      index: z.int().min(0).meta({ description: "The input's position." }),
      embedding: z.union([z.array(z.number()), z.string()]).meta({
        description: 'The vector; with `encoding_format: "base64"`, its little-endian float32 values in base64.',
      }),
    }),
  ),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.int().min(0), total_tokens: z.int().min(0) }),
});

export const modelSchema = z.object({
  id: z.string(),
  object: z.literal('model'),
  created: unixSeconds.meta({ description: 'When the model became available on DashScope (unix seconds).' }),
  owned_by: z.string(),
});

export const modelListSchema = z.object({ object: z.literal('list'), data: z.array(modelSchema) });

export const errorResponseSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z
      .string()
      .meta({ description: 'invalid_request_error, authentication_error, permission_error, rate_limit_error, server_error…' }),
    param: z.string().nullable().meta({ description: 'The offending request field, when there is one.' }),
    code: z.string().nullable(),
  }),
  request_id: z.string().optional().meta({ description: "DashScope's request id, for Alibaba Cloud support." }),
});

/** The shared pieces, named so the document refers to them rather than repeating them. */
export const SHARED_RESPONSE_COMPONENTS: ReadonlyArray<{ name: string; schema: z.ZodType }> = [
  { name: 'CompletionUsage', schema: completionUsageSchema },
  { name: 'ChatCompletionTokenLogprob', schema: tokenLogprobSchema },
  { name: 'ChatCompletionChoiceLogprobs', schema: choiceLogprobsSchema },
  { name: 'ChatCompletionMessageToolCall', schema: messageToolCallSchema },
  { name: 'ChatCompletionMessageToolCallChunk', schema: chunkToolCallSchema },
  { name: 'Model', schema: modelSchema },
  { name: 'ErrorResponse', schema: errorResponseSchema },
];
