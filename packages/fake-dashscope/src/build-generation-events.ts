import { buildGenerationPayload, type FinishReason } from './build-generation-payload.js';
import type { AnswerPlan } from './plan-answer.js';
import type { GenerationRequest } from './parse-generation-request.js';

// Tokens per event cycle like this, so streams mix one-token and multi-token events as upstream does.
const TOKENS_PER_EVENT = [1, 2, 1, 3] as const;

/**
 * The data payloads (JSON text) of a streamed answer; the last one carries the finish reason.
 * - incremental_output true: each event has only its new text;
 * - false: each event repeats the whole text so far (protocol §5.2).
 * Text models end with a separate final event ("" in incremental mode, the full text in cumulative
 * mode); multimodal models put the finish reason on the last text event (multimodal-generation-vl-sse).
 * `usage` is cumulative on every event.
 */
export function buildGenerationEvents({
  request,
  plan,
  inputTokens,
  imageTokens,
  requestId,
}: {
  request: Pick<GenerationRequest, 'endpoint' | 'resultFormat' | 'incrementalOutput'>;
  plan: AnswerPlan;
  inputTokens: number;
  imageTokens: number;
  requestId: string;
}): string[] {
  const events: Array<{ delta: string; text: string; outputTokens: number }> = [];
  for (let index = 0, turn = 0; index < plan.tokens.length; turn += 1) {
    const end = index + (TOKENS_PER_EVENT[turn % TOKENS_PER_EVENT.length] ?? 1);
    events.push({
      delta: plan.tokens.slice(index, end).join(''),
      text: plan.tokens.slice(0, end).join(''),
      outputTokens: Math.min(end, plan.tokens.length),
    });
    index = end;
  }
  const payload = (content: string, finishReason: FinishReason, outputTokens: number): string =>
    JSON.stringify(
      buildGenerationPayload({
        request,
        content,
        finishReason,
        usage: { inputTokens, outputTokens, imageTokens },
        requestId,
        streaming: true,
      }),
    );
  const fullText = plan.tokens.join('');
  const contentOf = (event: { delta: string; text: string }): string => (request.incrementalOutput ? event.delta : event.text);

  if (request.endpoint === 'multimodal-generation') {
    if (events.length === 0) return [payload('', plan.finishReason, 0)];
    return events.map((event, index) =>
      payload(contentOf(event), index === events.length - 1 ? plan.finishReason : 'null', event.outputTokens),
    );
  }
  return [
    ...events.map((event) => payload(contentOf(event), 'null', event.outputTokens)),
    payload(request.incrementalOutput ? '' : fullText, plan.finishReason, plan.tokens.length),
  ];
}
