import type { DashScopeToolCallFragment } from '../dashscope/generation-response-schema.js';
import type { ChatCompletionChunkToolCall } from '../openai/chat-response-types.js';
import { toToolCallId } from './convert-dashscope-tool-calls.js';

export interface ToolCallDeltaTracker {
  /** One event's fragments → OpenAI's tool-call deltas (possibly none). */
  toDeltas(fragments: readonly DashScopeToolCallFragment[]): ChatCompletionChunkToolCall[];
  /** The choice finished: how many calls never got a name (an answer a client cannot act on). */
  finish(): { deltas: ChatCompletionChunkToolCall[]; unnamed: number };
  /** How many calls were announced to the client. */
  count(): number;
  /** Characters held for calls (ids, names, argument text not sent yet, and a fixed cost per call). */
  heldLength(): number;
}

interface CallState {
  /** The client's index, given when the call is announced. */
  index: number;
  announced: boolean;
  id: string;
  name: string;
  pendingArguments: string;
}

/** What one call's bookkeeping costs beyond its text, in characters, for the memory budget. */
const CALL_OVERHEAD = 96;

/**
 * One choice's tool-call fragments (protocol §5.3) → OpenAI's deltas. Calls are told apart by DashScope's
 * `index` and numbered 0, 1, … in the order they are announced, so the client's indices are stable and
 * dense. A call's first delta carries `id`, `type` and `function.name`; later ones only argument text. A
 * call is announced as soon as its name is known (DashScope's incremental streams send the whole name in
 * a call's first fragment), with any argument text held until then; DashScope's `"id":""` on later
 * fragments is never forwarded, and a call that comes without an id gets one, because clients answer
 * calls by id and OpenAI's SDK refuses a call without one. A call that never gets a name fails the
 * answer when its choice finishes.
 */
export function createToolCallDeltaTracker({ generateId }: { generateId: () => string }): ToolCallDeltaTracker {
  // DashScope's indices and, for fragments without one, their positions, kept apart: a fragment at
  // position 1 is not DashScope's call 1.
  const byIndex = new Map<number, CallState>();
  const byPosition = new Map<number, CallState>();
  const held = new Set<CallState>();
  let announced = 0;
  let heldLength = 0;

  function stateOf(fragment: DashScopeToolCallFragment, position: number): CallState {
    const hasIndex = fragment.index !== undefined && Number.isInteger(fragment.index);
    const calls = hasIndex ? byIndex : byPosition;
    const key = hasIndex ? (fragment.index as number) : position;
    let state = calls.get(key);
    if (state === undefined) {
      state = { index: -1, announced: false, id: '', name: '', pendingArguments: '' };
      calls.set(key, state);
      held.add(state);
      heldLength += CALL_OVERHEAD;
    }
    return state;
  }

  function announce(state: CallState): ChatCompletionChunkToolCall {
    state.announced = true;
    held.delete(state);
    // Numbered when announced: a call that never gets a name leaves no gap in the client's indices.
    state.index = announced;
    announced += 1;
    if (state.id === '') state.id = toToolCallId(generateId());
    const delta: ChatCompletionChunkToolCall = {
      index: state.index,
      id: state.id,
      type: 'function',
      function: { name: state.name, arguments: state.pendingArguments },
    };
    heldLength -= state.pendingArguments.length;
    state.pendingArguments = '';
    return delta;
  }

  function toDelta(state: CallState, fragment: DashScopeToolCallFragment): ChatCompletionChunkToolCall | undefined {
    const argumentsText = fragment.function?.arguments ?? '';
    if (state.announced) return argumentsText === '' ? undefined : { index: state.index, function: { arguments: argumentsText } };
    if (state.id === '' && fragment.id != null && fragment.id !== '') {
      state.id = fragment.id;
      heldLength += fragment.id.length;
    }
    const namePiece = fragment.function?.name ?? '';
    state.name += namePiece;
    state.pendingArguments += argumentsText;
    heldLength += namePiece.length + argumentsText.length;
    return state.name !== '' ? announce(state) : undefined;
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
    finish() {
      const deltas: ChatCompletionChunkToolCall[] = [];
      let unnamed = 0;
      for (const state of held) {
        if (state.name === '') unnamed += 1;
        else deltas.push(announce(state));
      }
      return { deltas, unnamed };
    },
    count: () => announced,
    heldLength: () => heldLength,
  };
}
