import type { DashScopeEndpointKind } from '@gw/core';
import { buildEmbeddingBody } from './answers/embedding-body.js';
import { buildGenerationBody } from './answers/json-body.js';
import { planChoices } from './answers/plan-choices.js';
import { buildGenerationEvents } from './answers/stream-events.js';
import { countGenerationInput } from './answers/usage.js';
import type { FakeScript, RecordedRequest } from './fake-dashscope-types.js';
import { parseEmbeddingRequest } from './requests/parse-embedding-request.js';
import { parseGenerationRequest } from './requests/parse-generation-request.js';
import type { ModelCatalog } from './requests/resolve-model.js';
import { DashScopeError, invalidParameter, type ParsedRequestBody } from './wire-format.js';

/** A prepared answer: either one JSON body or the data payloads of an SSE stream. */
export type Answer = { kind: 'json'; body: string } | { kind: 'events'; payloads: string[] };

/**
 * Validates a request that passed auth and builds the answer DashScope would give; throws
 * DashScopeError for a request DashScope refuses.
 */
export function prepareAnswer({
  catalog,
  reply,
  endpoint,
  body,
  tooLarge,
  recorded,
  script,
  streaming,
  requestId,
}: {
  catalog: ModelCatalog;
  reply: ((request: RecordedRequest) => string) | undefined;
  endpoint: DashScopeEndpointKind;
  body: ParsedRequestBody;
  tooLarge: boolean;
  recorded: RecordedRequest;
  script: Extract<FakeScript, { type: 'reply' }> | undefined;
  streaming: boolean;
  requestId: string;
}): Answer {
  if (tooLarge) throw new DashScopeError({ status: 413, code: 'BadRequest.TooLarge', message: 'Request body is too large.' });
  if (!body.isJson) throw invalidParameter('The request body is not valid JSON.');
  if (endpoint === 'text-embedding') {
    const embedding = parseEmbeddingRequest({ body: body.value, catalog });
    return { kind: 'json', body: buildEmbeddingBody({ request: embedding, requestId }) };
  }

  const request = parseGenerationRequest({ body: body.value, endpoint, catalog, streaming });
  const plans = planChoices({
    request,
    requestId,
    scripted: script,
    replyOption: reply === undefined ? undefined : () => reply(recorded),
  });
  const input = countGenerationInput(request);
  return streaming
    ? { kind: 'events', payloads: buildGenerationEvents({ request, plans, input, requestId }) }
    : { kind: 'json', body: buildGenerationBody({ request, plans, input, requestId }) };
}
