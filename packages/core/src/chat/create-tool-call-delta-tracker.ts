import type { DashScopeToolCallFragment } from '../dashscope/generation-response-schema.js';
import type { ChatCompletionChunkToolCall } from '../openai/chat-response-types.js';
import { toToolCallId } from './convert-dashscope-tool-calls.js';

export interface ToolCallDeltaTracker {
  /** One event's fragments → OpenAI's tool-call deltas (possibly none). */
  toDeltas(fragments: readonly DashScopeToolCallFragment[]): ChatCompletionChunkToolCall[];
  /** How many calls were announced to the client. */
  count(): number;
}

interface CallState {
  /** The client's index, given when the call is announced. */
  index: number;
  announced: boolean;
  id: string;
  name: string;
  pendingArguments: string;
}

/**
 * One choice's tool-call fragments (protocol §5.3) → OpenAI's deltas. Calls are told apart by DashScope's
 * `index` and numbered 0, 1, … in the order they appear, so the client's indices are stable and dense.
 * A call's first delta carries `id`, `type` and `function.name`; later ones only argument text. A call is
 * announced once its name is known (an early fragment may lack it), with the argument text held until
 * then; DashScope's `"id":""` on later fragments is never forwarded, and a call that comes without an id
 * gets one, because clients answer calls by id and OpenAI's SDK refuses a call without one.
 */
export function createToolCallDeltaTracker({ generateId }: { generateId: () => string }): ToolCallDeltaTracker {
  // DashScope's indices and, for fragments without one, their positions, kept apart: a fragment at
  // position 1 is not DashScope's call 1.
  const byIndex = new Map<number, CallState>();
  const byPosition = new Map<number, CallState>();
  let announced = 0;

  function stateOf(fragment: DashScopeToolCallFragment, position: number): CallState {
    const hasIndex = fragment.index !== undefined && Number.isInteger(fragment.index);
    const calls = hasIndex ? byIndex : byPosition;
    const key = hasIndex ? (fragment.index as number) : position;
    let state = calls.get(key);
    if (state === undefined) {
      state = { index: -1, announced: false, id: '', name: '', pendingArguments: '' };
      calls.set(key, state);
    }
    return state;
  }

  function toDelta(state: CallState, fragment: DashScopeToolCallFragment): ChatCompletionChunkToolCall | undefined {
    const argumentsText = fragment.function?.arguments ?? '';
    if (state.announced) return argumentsText === '' ? undefined : { index: state.index, function: { arguments: argumentsText } };
    if (state.id === '' && fragment.id != null) state.id = fragment.id;
    state.name += fragment.function?.name ?? '';
    state.pendingArguments += argumentsText;
    if (state.name === '') return undefined;
    state.announced = true;
    // Numbered when announced: a call that never gets a name leaves no gap in the client's indices.
    state.index = announced;
    announced += 1;
    const delta: ChatCompletionChunkToolCall = {
      index: state.index,
      id: state.id !== '' ? state.id : toToolCallId(generateId()),
      type: 'function',
      function: { name: state.name, arguments: state.pendingArguments },
    };
    state.pendingArguments = '';
    return delta;
  }

  return {
    toDeltas(fragments) {
      const deltas: ChatCompletionChunkToolCall[] = [];
      fragments.forEach((fragment, position) => {
        const delta = toDelta(stateOf(fragment, position), fragment);
        if (delta === undefined) return;
        const previous = deltas.at(-1);
        // Two pieces of one call in one event become one delta.
        if (previous !== undefined && previous.index === delta.index && delta.id === undefined) {
          previous.function.arguments += delta.function.arguments;
        } else {
          deltas.push(delta);
        }
      });
      return deltas;
    },
    count: () => announced,
  };
}
