import { createHash } from 'node:crypto';
import type { GenerationRequest } from '../requests/generation-request.js';
import type { ToolDefinition } from '../requests/parse-tool-parameters.js';
import { countTextTokens, echo } from './answer-text.js';
import { toPythonJson } from './python-json.js';
import { valueFromSchema } from './value-from-schema.js';

// Which functions the fake calls, with which arguments, and how a call is cut into stream fragments.

export interface PlannedToolCall {
  id: string;
  name: string;
  /** JSON text, as DashScope writes it. */
  arguments: string;
}

// Tool-call arguments echo the start of the user's text, short like the place names of the recordings.
const ARGUMENT_ECHO_LENGTH = 20;

/**
 * The calls of this answer. A script's `toolCalls` are made as given. Otherwise the model calls tools
 * only in answer to a user turn (never right after tool results), when tools are defined and
 * tool_choice is not "none": the named function if tool_choice names one; with parallel_tool_calls,
 * every defined function, or the only one twice (as recorded: get_current_weather for 杭州 and 上海);
 * else the first function once.
 */
export function planToolCalls({
  request,
  requestId,
  scripted,
}: {
  request: Pick<GenerationRequest, 'endpoint' | 'tools' | 'toolChoice' | 'parallelToolCalls' | 'lastRole' | 'lastUserText'>;
  requestId: string;
  scripted: ReadonlyArray<{ name: string; arguments: string }> | undefined;
}): PlannedToolCall[] {
  const idFor = (index: number): string => toolCallId({ requestId, index, endpoint: request.endpoint });
  if (scripted !== undefined) return scripted.map((call, index) => ({ id: idFor(index), name: call.name, arguments: call.arguments }));
  const { tools, toolChoice } = request;
  if (tools.length === 0 || toolChoice === 'none' || request.lastRole !== 'user') return [];
  const called = chooseFunctions({ tools, toolChoice, parallel: request.parallelToolCalls });
  const text = echo(request.lastUserText, ARGUMENT_ECHO_LENGTH);
  return called.map((tool, index) => {
    // The second call of the same function asks about something else, as a real parallel call would.
    const repeat = called.slice(0, index).filter((earlier) => earlier.name === tool.name).length;
    const value =
      tool.parameters === undefined
        ? {}
        : valueFromSchema({ schema: tool.parameters, text: repeat === 0 ? text : `${text} (${repeat + 1})` });
    return { id: idFor(index), name: tool.name, arguments: toPythonJson(value) };
  });
}

function chooseFunctions({
  tools,
  toolChoice,
  parallel,
}: {
  tools: readonly ToolDefinition[];
  toolChoice: GenerationRequest['toolChoice'];
  parallel: boolean;
}): ToolDefinition[] {
  if (typeof toolChoice === 'object') return tools.filter((tool) => tool.name === toolChoice.name).slice(0, 1);
  const [first] = tools;
  if (first === undefined) return [];
  if (!parallel) return [first];
  return tools.length === 1 ? [first, first] : [...tools];
}

/**
 * `call_` and hex digits derived from the request id: unique per call, stable for a request. The text
 * endpoint's recorded ids have 22 hex digits, the multimodal endpoint's 24.
 */
export function toolCallId({
  requestId,
  index,
  endpoint,
}: {
  requestId: string;
  index: number;
  endpoint: GenerationRequest['endpoint'];
}): string {
  const digits = endpoint === 'multimodal-generation' ? 24 : 22;
  return `call_${createHash('sha256').update(`${requestId}\u0000${index}`).digest('hex').slice(0, digits)}`;
}

/** One piece of one call in a stream; the first piece of a call names it, later ones only add arguments. */
export interface ToolCallFragment {
  index: number;
  call: PlannedToolCall;
  first: boolean;
  arguments: string;
  outputTokens: number;
}

/**
 * The stream events of a set of calls, as fragments per event (protocol §5.3): each call's arguments
 * arrive in two or three pieces, and when a call follows another, the last piece of the one and the
 * first piece of the next share an event (multimodal-generation-message-with-parallel-function-call-sse).
 */
export function toolCallEvents(calls: readonly PlannedToolCall[]): ToolCallFragment[][] {
  const events: ToolCallFragment[][] = [];
  for (const [index, call] of calls.entries()) {
    for (const [pieceIndex, piece] of splitArguments(call.arguments).entries()) {
      const first = pieceIndex === 0;
      const fragment: ToolCallFragment = {
        index,
        call,
        first,
        arguments: piece,
        outputTokens: Math.max(1, countTextTokens(first ? call.name + piece : piece)),
      };
      const previous = events.at(-1);
      if (first && index > 0 && previous !== undefined) previous.push(fragment);
      else events.push([fragment]);
    }
  }
  return events;
}

/** Output tokens of a set of calls: the same whether streamed or not. */
export function countToolCallTokens(calls: readonly PlannedToolCall[]): number {
  return toolCallEvents(calls)
    .flat()
    .reduce((sum, fragment) => sum + fragment.outputTokens, 0);
}

// Three pieces at code-point boundaries (two for short arguments, one for at most one character).
function splitArguments(text: string): string[] {
  const codePoints = Array.from(text);
  if (codePoints.length <= 1) return [text];
  const pieces = codePoints.length < 6 ? 2 : 3;
  const size = Math.ceil(codePoints.length / pieces);
  const result: string[] = [];
  for (let start = 0; start < codePoints.length; start += size) result.push(codePoints.slice(start, start + size).join(''));
  return result;
}
