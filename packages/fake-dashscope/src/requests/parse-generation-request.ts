import { isRecord } from '../is-record.js';
import { modelFacts } from '../model-facts.js';
import { invalidParameter } from '../wire-format.js';
import { decideThinking } from './decide-thinking.js';
import type { GenerationEndpoint, GenerationRequest } from './generation-request.js';
import { parseMessages, type ParsedMessage } from './parse-messages.js';
import { parseOutputLimits } from './parse-output-limits.js';
import { JSON_WORD_REQUIRED, parseResponseFormat } from './parse-response-format.js';
import { parseSamplingParameters } from './parse-sampling-parameters.js';
import { parseToolParameters } from './parse-tool-parameters.js';
import { requireInput, resolveModel, type ModelCatalog } from './resolve-model.js';

// Error-code page (DOC-ERR 2025, protocol §6.2), for QwQ, QVQ and Omni.
export const STREAM_ONLY = 'This model only support stream mode, please enable the stream parameter.';

/**
 * Validates a text- or multimodal-generation body the way DashScope does; throws DashScopeError.
 * `streaming` is how the request asked for its answer (headers); callers that only have the body
 * may leave it out, and the body's `incremental_output` stands in for it, as the gateway sets it
 * exactly for streams.
 */
export function parseGenerationRequest({
  body,
  endpoint,
  catalog,
  streaming,
}: {
  body: unknown;
  endpoint: GenerationEndpoint;
  catalog: ModelCatalog;
  streaming?: boolean;
}): GenerationRequest {
  const model = resolveModel({ body, endpoint, catalog });
  const input = requireInput(body);
  const multimodal = endpoint === 'multimodal-generation';
  const messages = parseMessages({ input, multimodal });
  const parameters = readParameters(isRecord(body) ? body.parameters : undefined);
  const facts = modelFacts(model);

  const resultFormat = parameters.result_format ?? 'text';
  if (resultFormat !== 'text' && resultFormat !== 'message') {
    throw invalidParameter('Parameter "result_format" must be "text" or "message".');
  }
  const incrementalOutput = parameters.incremental_output === true;
  const isStreaming = streaming ?? incrementalOutput;
  const sampling = parseSamplingParameters(parameters);
  const limits = parseOutputLimits({ parameters, facts });
  const toolParameters = parseToolParameters(parameters);
  if (toolParameters.tools.length > 0 && !facts.capabilities.tools) {
    // Not recorded (protocol §9 leaves it open); refusing makes a gateway that forwards tools visible.
    throw invalidParameter(`The model ${model} does not support tools.`);
  }
  const responseFormat = parseResponseFormat(parameters.response_format);
  const inputTexts = messages.flatMap((message) => message.texts);
  if (responseFormat.type === 'json_object' && !inputTexts.some((text) => /json/i.test(text))) {
    throw invalidParameter(JSON_WORD_REQUIRED);
  }
  if (facts.capabilities.streamOnly && !isStreaming) throw invalidParameter(STREAM_ONLY);
  rejectUnsupportedMedia({ model, facts, messages });
  const thinking = decideThinking({ parameters, capabilities: facts.capabilities, streaming: isStreaming, incrementalOutput });

  const lastMessage = messages.at(-1) as ParsedMessage;
  return {
    model,
    endpoint,
    // The multimodal endpoint always answers in message shape (multimodal-generation-vl-* send no
    // result_format); reasoning and tool calls have no place in the text shape, so they force it too
    // (deepseek-v4-pro answered reasoning-nosse in message shape without being asked).
    resultFormat: multimodal || thinking.enabled || toolParameters.tools.length > 0 ? 'message' : resultFormat,
    incrementalOutput,
    streaming: isStreaming,
    ...limits,
    inputTexts,
    toolsText: toolParameters.tools.length > 0 ? JSON.stringify(parameters.tools) : '',
    media: {
      images: sum(messages, (message) => message.media.images),
      audios: sum(messages, (message) => message.media.audios),
      videos: sum(messages, (message) => message.media.videos),
    },
    lastUserText: messages.findLast((message) => message.role === 'user')?.texts.join('\n') ?? '',
    lastRole: lastMessage.role,
    trailingToolResults: trailingToolResults(messages),
    thinking,
    n: sampling.n,
    logprobs: sampling.logprobs,
    responseFormat,
    ...toolParameters,
  };
}

function readParameters(parameters: unknown): Readonly<Record<string, unknown>> {
  if (parameters === undefined || parameters === null) return {};
  if (!isRecord(parameters)) throw invalidParameter('Parameter "parameters" must be an object.');
  // Unknown keys (stream, enable_search, search_options, ...) are accepted and ignored, as upstream does.
  return parameters;
}

function trailingToolResults(messages: readonly ParsedMessage[]): string[] {
  const results: string[] = [];
  for (let index = messages.length - 1; index >= 0 && messages[index]?.role === 'tool'; index -= 1) {
    results.unshift(messages[index]!.texts.join('\n'));
  }
  return results;
}

function sum(messages: readonly ParsedMessage[], count: (message: ParsedMessage) => number): number {
  return messages.reduce((total, message) => total + count(message), 0);
}

/**
 * Media a catalogued model does not take: DashScope cannot route them to it (an image to qwen-audio,
 * audio to a vision model). The wording is assumed; no capture shows it.
 */
function rejectUnsupportedMedia({
  model,
  facts,
  messages,
}: {
  model: string;
  facts: ReturnType<typeof modelFacts>;
  messages: ReadonlyArray<{ media: { images: number; audios: number; videos: number } }>;
}): void {
  if (!facts.catalogued) return;
  const { vision, audio, video } = facts.capabilities;
  for (const { media } of messages) {
    if (media.images > 0 && !vision) throw invalidParameter(`The model ${model} does not support image input.`);
    if (media.audios > 0 && !audio) throw invalidParameter(`The model ${model} does not support audio input.`);
    if (media.videos > 0 && !video) throw invalidParameter(`The model ${model} does not support video input.`);
  }
}
