import type { CallSummary, UpstreamCall } from '../endpoints/upstream-call.js';
import { createStreamTranslator, type StreamMapper } from '../stream/create-stream-translator.js';
import type { ConvertedChatRequest } from './convert-to-dashscope-request.js';

/** How one endpoint answers a generation call, in each of the three ways it can run. */
export interface GenerationAnswer<
  Completion extends { usage?: CallSummary['usage']; choices: ReadonlyArray<{ finish_reason: string | null }> },
> {
  /** The client streams: DashScope's events → the endpoint's chunks. */
  createStreamMapper(): StreamMapper<unknown>;
  /** The client wants JSON that DashScope gives only as a stream: the stream → one answer. */
  createCollector(): StreamMapper<unknown>;
  /** A plain non-stream call: DashScope's JSON → the endpoint's answer. */
  convertResponse(response: unknown): Completion;
}

/**
 * A converted generation request (chat, or a legacy completion by way of chat) → the upstream call that
 * carries it out: a stream, a stream collected into JSON, or a JSON call, as the conversion planned.
 */
export function prepareGenerationCall<
  Completion extends { usage?: CallSummary['usage']; choices: ReadonlyArray<{ finish_reason: string | null }> },
>({ path, body, mode, model }: ConvertedChatRequest, answer: GenerationAnswer<Completion>): UpstreamCall {
  if (mode === 'stream') {
    return {
      kind: 'sse',
      path,
      body,
      model,
      createStreamTranslator: (limits) => createStreamTranslator({ mapper: answer.createStreamMapper(), limits }),
    };
  }
  if (mode === 'collect') {
    return {
      kind: 'sse',
      respondAs: 'json',
      path,
      body,
      model,
      createStreamTranslator: (limits) => createStreamTranslator({ mapper: answer.createCollector(), limits }),
    };
  }
  return {
    kind: 'json',
    path,
    body,
    model,
    convertResponse(response) {
      const completion = answer.convertResponse(response);
      return { body: completion, summary: summarizeCompletion(completion, response) };
    },
  };
}

/** What a finished generation call reports: usage, the first choice's finish reason, DashScope's request id. */
export function summarizeCompletion(
  completion: { usage?: CallSummary['usage']; choices: ReadonlyArray<{ finish_reason: string | null }> },
  response: unknown,
): CallSummary {
  const requestId = (response as { request_id?: unknown } | undefined)?.request_id;
  return {
    usage: completion.usage,
    finishReason: completion.choices[0]?.finish_reason ?? null,
    requestId: typeof requestId === 'string' && requestId !== '' ? requestId : undefined,
  };
}
