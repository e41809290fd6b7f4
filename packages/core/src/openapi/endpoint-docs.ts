import type { z } from 'zod';
import type { ExampleObject } from './openapi-types.js';
import {
  chatCompletionChunkSchema,
  chatCompletionSchema,
  embeddingListSchema,
  modelListSchema,
  modelSchema,
  textCompletionChunkSchema,
  textCompletionSchema,
} from './response-schemas.js';

export interface EndpointDoc {
  summary: string;
  description: string;
  /** One of the document's tags (Chat, Completions, Embeddings, Models). */
  tag: string;
  /** The request body's component name (OpenAI's, so clients generated from either match). */
  requestSchemaName?: string;
  requestExamples?: Record<string, ExampleObject>;
  pathParameters?: Record<string, { description: string; example: string }>;
  response: { name: string; schema: z.ZodType; description: string; example?: unknown };
  /** For endpoints that stream with `"stream": true`: each event's `data` payload. */
  stream?: { name: string; schema: z.ZodType; example: string };
}

const sse = (...events: unknown[]) => [...events.map((event) => `data: ${JSON.stringify(event)}\n\n`), 'data: [DONE]\n\n'].join('');

const chunk = (delta: object, finish: string | null) => ({
  id: 'chatcmpl-8f2c1a9e-5b7d-9c3e-a1f0-2d4b6e8c0a1b',
  object: 'chat.completion.chunk',
  created: 1_735_689_600,
  model: 'qwen-plus',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
});

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** Summary, description and examples of each endpoint of the table, by endpoint id. */
export const ENDPOINT_DOCS: Readonly<Record<string, EndpointDoc>> = {
  'chat.completions': {
    summary: 'Create a chat completion',
    description:
      'OpenAI\'s chat completions, answered by DashScope\'s native text- or multimodal-generation API (the model picks which). Unknown fields are refused with a 400; DashScope\'s own knobs (`top_k`, `repetition_penalty`, `enable_search`, `search_options`, `enable_thinking`, `thinking_budget`, `vl_high_resolution_images`) are accepted as extra fields. Dropped or converted parameters are listed in the `x-gateway-warnings` header. With `"stream": true` the answer is server-sent events: `data: <chunk>` each, then `data: [DONE]`; a failure after the stream started is sent as `data: {"error":{...}}` and the stream closes without `[DONE]`.',
    tag: 'Chat',
    requestSchemaName: 'CreateChatCompletionRequest',
    requestExamples: {
      plain: {
        summary: 'A plain question',
        value: {
          model: 'farui-plus',
          messages: [
            { role: 'system', content: 'You are a legal assistant.' },
            { role: 'user', content: '你好' },
          ],
        },
      },
      stream: {
        summary: 'Streamed, with usage in the last chunk',
        value: {
          model: 'qwen-plus',
          messages: [{ role: 'user', content: 'Write a haiku about the sea.' }],
          stream: true,
          stream_options: { include_usage: true },
        },
      },
      tools: {
        summary: 'Function calling',
        value: {
          model: 'qwen-plus',
          messages: [{ role: 'user', content: 'What is the weather in Hangzhou?' }],
          tools: [weatherTool],
          tool_choice: 'auto',
        },
      },
      tool_result: {
        summary: 'Answering after a tool call',
        value: {
          model: 'qwen-plus',
          messages: [
            { role: 'user', content: 'What is the weather in Hangzhou?' },
            {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Hangzhou"}' } }],
            },
            { role: 'tool', tool_call_id: 'call_1', content: '{"temperature_c":24,"sky":"clear"}' },
          ],
          tools: [weatherTool],
        },
      },
      vision: {
        summary: 'An image (vision model)',
        value: {
          model: 'qwen-vl-max',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is in this picture?' },
                { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
              ],
            },
          ],
        },
      },
      thinking: {
        summary: 'Thinking, streamed (a DashScope extra field)',
        value: { model: 'qwen-plus', messages: [{ role: 'user', content: 'Is 1001 prime?' }], stream: true, enable_thinking: true },
      },
    },
    response: {
      name: 'CreateChatCompletionResponse',
      schema: chatCompletionSchema,
      description: 'The completion (without `"stream": true`).',
      example: {
        id: 'chatcmpl-8f2c1a9e-5b7d-9c3e-a1f0-2d4b6e8c0a1b',
        object: 'chat.completion',
        created: 1_735_689_600,
        model: 'farui-plus',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: '你好！有什么可以帮您？', refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 18, completion_tokens: 8, total_tokens: 26 },
      },
    },
    stream: {
      name: 'CreateChatCompletionStreamResponse',
      schema: chatCompletionChunkSchema,
      example: sse(
        chunk({ role: 'assistant', content: '' }, null),
        chunk({ content: 'Waves fold' }, null),
        chunk({ content: ' into foam' }, 'stop'),
      ),
    },
  },
  'completions.create': {
    summary: 'Create a text completion',
    description:
      'OpenAI\'s legacy completions, for older tools and editor plugins: each prompt becomes the one user message of a chat request, translated as chat translates it, and comes back as `text_completion` objects. Several prompts (an array) are several DashScope calls, with choices numbered `prompt × n + choice`; a streamed request takes one prompt. `echo`, `best_of`, `suffix` and `logprobs` are refused unless their value is a no-op. With `"stream": true` the answer is server-sent events of `text_completion` objects, then `data: [DONE]`.',
    tag: 'Completions',
    requestSchemaName: 'CreateCompletionRequest',
    requestExamples: {
      prompt: { summary: 'A prompt', value: { model: 'qwen-plus', prompt: 'Once upon a time', max_tokens: 64 } },
      prompts: {
        summary: 'Several prompts, two choices each',
        value: { model: 'qwen-plus', prompt: ['The capital of France is', 'The capital of Japan is'], max_tokens: 16, n: 2 },
      },
      stream: { summary: 'Streamed', value: { model: 'qwen-plus', prompt: 'def fibonacci(n):', max_tokens: 128, stream: true } },
    },
    response: {
      name: 'CreateCompletionResponse',
      schema: textCompletionSchema,
      description: 'The completion (without `"stream": true`).',
      example: {
        id: 'cmpl-8f2c1a9e-5b7d-9c3e-a1f0-2d4b6e8c0a1b',
        object: 'text_completion',
        created: 1_735_689_600,
        model: 'qwen-plus',
        choices: [{ index: 0, text: ', in a quiet village by the sea…', logprobs: null, finish_reason: 'length' }],
        usage: { prompt_tokens: 4, completion_tokens: 64, total_tokens: 68 },
      },
    },
    stream: {
      name: 'CreateCompletionStreamResponse',
      schema: textCompletionChunkSchema,
      example: sse({
        id: 'cmpl-8f2c1a9e-5b7d-9c3e-a1f0-2d4b6e8c0a1b',
        object: 'text_completion',
        created: 1_735_689_600,
        model: 'qwen-plus',
        choices: [{ index: 0, text: '\n    if n < 2:', logprobs: null, finish_reason: null }],
      }),
    },
  },
  'embeddings.create': {
    summary: 'Create embeddings',
    description:
      "OpenAI's embeddings, answered by DashScope's native text-embedding API. Text only: token arrays are a 400. `dimensions` picks the size where the model allows it (v3, v4); `encoding_format: \"base64\"` gives the little-endian float32 values in base64, as OpenAI sends them. DashScope's `text_type` (`query` or `document`) and `instruct` (v4) are accepted as extra fields. An input over the model's per-call limit (10 texts, 25 for v1 and v2) is split into several DashScope calls and answered as one list, in input order, with summed usage.",
    tag: 'Embeddings',
    requestSchemaName: 'CreateEmbeddingRequest',
    requestExamples: {
      string: { summary: 'One text', value: { model: 'text-embedding-v4', input: 'The food was delicious.' } },
      array: {
        summary: 'Several texts, 512 dimensions',
        value: { model: 'text-embedding-v4', input: ['The food was delicious.', 'The waiter was friendly.'], dimensions: 512 },
      },
      query: {
        summary: 'A search query, with a v4 instruction (DashScope extra fields)',
        value: { model: 'text-embedding-v4', input: 'best noodles in Hangzhou', text_type: 'query', instruct: 'Find restaurant reviews' },
      },
      base64: {
        summary: 'As base64 (float32, little-endian)',
        value: { model: 'text-embedding-v4', input: 'The food was delicious.', encoding_format: 'base64' },
      },
    },
    response: {
      name: 'CreateEmbeddingResponse',
      schema: embeddingListSchema,
      description: 'One embedding per input, in input order.',
      example: {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.0123, -0.0456, 0.0789] }],
        model: 'text-embedding-v4',
        usage: { prompt_tokens: 6, total_tokens: 6 },
      },
    },
  },
  'models.list': {
    summary: 'List models',
    description:
      "The gateway's whole catalogue: farui-plus first, then the chat, vision and embedding models. Any DashScope model name can be used in `model`, listed or not: DashScope decides whether it exists.",
    tag: 'Models',
    response: {
      name: 'ListModelsResponse',
      schema: modelListSchema,
      description: 'The catalogue.',
      example: { object: 'list', data: [{ id: 'farui-plus', object: 'model', created: 1_704_067_200, owned_by: 'alibaba-cloud' }] },
    },
  },
  'models.retrieve': {
    summary: 'Retrieve a model',
    description: 'Any model of the catalogue, or a 404 `model_not_found`.',
    tag: 'Models',
    pathParameters: { model: { description: 'The model id.', example: 'qwen-max' } },
    response: {
      name: 'Model',
      schema: modelSchema,
      description: 'The model.',
      example: { id: 'qwen-max', object: 'model', created: 1_704_067_200, owned_by: 'alibaba-cloud' },
    },
  },
};
