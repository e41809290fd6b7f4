import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchEndpoint, type ModelCatalog } from './endpoints.js';
import type { FakeScript, RecordedRequest } from './fake-dashscope-types.js';
import {
  DashScopeError,
  extractApiKey,
  formatErrorBody,
  formatErrorEvent,
  formatSseEvent,
  isStreamingRequest,
  parseRequestBody,
  readRequestBody,
  sseHeaders,
} from './wire-format.js';
import { prepareAnswer, type Answer } from './prepare-answer.js';
import { sendChunks, sendEvents, sendJson, sendScriptedError, splitRawBody, type ResponseTarget } from './write-reply.js';

export interface RequestHandlerContext {
  catalog: ModelCatalog;
  isValidKey: (key: string) => boolean;
  reply: ((request: RecordedRequest) => string) | undefined;
  eventDelayMs: number;
  splitBytes: number;
  gzip: boolean;
  requests: RecordedRequest[];
  /** The next queued script, else the `behave` option's choice for this request. */
  takeScript: (request: RecordedRequest) => FakeScript | undefined;
  /** Told when a response opens and when it closes, for `openResponses`. */
  trackResponse: (change: 1 | -1) => void;
}

type ScriptAfterShortcuts = Extract<FakeScript, { type: 'fail-after' | 'reply' | 'drop' }> | undefined;

export function createRequestHandler(context: RequestHandlerContext) {
  return async function handleFakeDashScopeRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const connection = new AbortController();
    context.trackResponse(1);
    response.once('close', () => {
      connection.abort();
      context.trackResponse(-1);
    });
    const target: ResponseTarget = {
      response,
      signal: connection.signal,
      gzip: context.gzip,
      splitBytes: context.splitBytes,
      eventDelayMs: context.eventDelayMs,
    };
    const requestId = randomUUID();
    try {
      await answerRequest({ context, request, target, requestId });
    } catch (error) {
      // Whatever went wrong (a throwing `reply` option, a client that vanished mid-upload), the
      // client must get an answer or a closed socket, and the process must not crash.
      if (response.headersSent || response.destroyed) {
        response.destroy();
        return;
      }
      const message = `Fake DashScope failed: ${error instanceof Error ? error.message : String(error)}`;
      await sendJson({
        target,
        status: 500,
        requestId,
        body: formatErrorBody({ code: 'InternalError', message, requestId }),
      }).catch(() => response.destroy());
    }
  };
}

async function answerRequest({
  context,
  request,
  target,
  requestId,
}: {
  context: RequestHandlerContext;
  request: IncomingMessage;
  target: ResponseTarget;
  requestId: string;
}): Promise<void> {
  const { text, tooLarge } = await readRequestBody(request);
  const body = parseRequestBody(text);
  const method = request.method ?? 'GET';
  const path = request.url ?? '/';
  const recorded: RecordedRequest = { method, path, headers: request.headers, body: body.value };
  context.requests.push(recorded);
  const sendError = (error: DashScopeError): Promise<void> =>
    sendJson({
      target,
      status: error.status,
      requestId,
      body: formatErrorBody({ code: error.code, message: error.message, requestId }),
    });

  const endpoint = matchEndpoint({ method, url: path });
  if (endpoint === undefined) {
    return sendError(new DashScopeError({ status: 400, code: 'InvalidURL', message: 'url error, please check url！' }));
  }
  // Auth failures are plain JSON 401 even for streaming requests (auth-error-nosse; protocol §11.2).
  const key = extractApiKey(request.headers);
  if (key === undefined || !context.isValidKey(key)) {
    return sendError(new DashScopeError({ status: 401, code: 'InvalidApiKey', message: 'Invalid API-key provided.' }));
  }

  const script = context.takeScript(recorded);
  switch (script?.type) {
    case 'error':
      return sendScriptedError({ target, script, requestId });
    case 'raw':
      return sendEvents({ target, status: script.status, headers: script.headers, frames: splitRawBody(script.body) });
    case 'stream':
      return sendChunks({
        target: { ...target, gzip: script.gzip ?? target.gzip },
        status: script.status ?? 200,
        headers: { ...sseHeaders(requestId), ...script.headers },
        chunks: script.chunks,
      });
    case 'hang':
      return;
    case 'drop':
      if (!script.afterEvents) {
        target.response.destroy();
        return;
      }
      break;
    default:
      break;
  }
  const remaining: ScriptAfterShortcuts = script;
  const streaming = endpoint !== 'text-embedding' && isStreamingRequest(request.headers);

  let answer: Answer;
  try {
    answer = prepareAnswer({
      catalog: context.catalog,
      reply: context.reply,
      endpoint,
      body,
      tooLarge,
      recorded,
      script: remaining?.type === 'reply' ? remaining : undefined,
      streaming,
      requestId,
    });
  } catch (error) {
    if (!(error instanceof DashScopeError)) throw error;
    // A streaming request that fails validation gets 200 + one event:error (parameter-error-sse).
    if (!streaming) return sendError(error);
    return sendEvents({ target, status: 200, headers: sseHeaders(requestId), frames: [formatErrorEvent({ error, requestId, id: 1 })] });
  }

  if (remaining?.type === 'fail-after') {
    const failure = new DashScopeError(remaining);
    if (answer.kind === 'json') return sendError(failure);
    // Only intermediate events precede the error, so the stream never looks finished.
    const results = answer.payloads.slice(0, -1).slice(0, Math.max(0, remaining.events));
    const frames = [...results.map(resultFrame), formatErrorEvent({ error: failure, requestId, id: results.length + 1 })];
    return sendEvents({ target, status: 200, headers: sseHeaders(requestId), frames });
  }
  const dropAfter = remaining?.type === 'drop' ? remaining.afterEvents : undefined;
  if (answer.kind === 'json') {
    return sendJson({ target, status: 200, requestId, body: answer.body, truncate: dropAfter !== undefined });
  }
  return sendEvents({
    target,
    status: 200,
    headers: sseHeaders(requestId),
    frames: answer.payloads.map(resultFrame),
    destroyAfter: dropAfter,
  });
}

function resultFrame(payload: string, index: number): string {
  return formatSseEvent({ id: index + 1, event: 'result', status: 200, data: payload });
}
