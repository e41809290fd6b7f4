import { describe, it, expect } from '@jest/globals';
import type { DashScopeToolCallFragment } from '../dashscope/generation-response-schema.js';
import { createToolCallDeltaTracker } from './create-tool-call-delta-tracker.js';

function tracker(ids: string[] = ['gen-1', 'gen-2', 'gen-3']) {
  const queue = [...ids];
  return createToolCallDeltaTracker({ generateId: () => queue.shift() ?? 'exhausted' });
}

/** A DashScope fragment as the recordings show them: later pieces have `"id":""` and no name. */
const first = (index: number | undefined, id: string, name: string, args = ''): DashScopeToolCallFragment => ({
  ...(index !== undefined && { index }),
  id,
  type: 'function',
  function: { name, arguments: args },
});
const piece = (index: number | undefined, args: string): DashScopeToolCallFragment => ({
  ...(index !== undefined && { index }),
  id: '',
  type: 'function',
  function: { arguments: args },
});

describe('createToolCallDeltaTracker', () => {
  it('announces a call with id, type and name on its first delta, and only argument text after', () => {
    const calls = tracker();
    expect(calls.toDeltas([first(0, 'call_a', 'get_weather', '{"city": "')])).toEqual([
      { index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city": "' } },
    ]);
    expect(calls.toDeltas([piece(0, '杭州"}')])).toEqual([{ index: 0, function: { arguments: '杭州"}' } }]);
    expect(calls.count()).toBe(1);
  });

  it('sends nothing for an event with no fragments or only an empty continuation', () => {
    const calls = tracker();
    expect(calls.toDeltas([])).toEqual([]);
    calls.toDeltas([first(0, 'call_a', 'f')]);
    expect(calls.toDeltas([piece(0, '')])).toEqual([]);
    expect(calls.toDeltas([{ index: 0, id: '' }])).toEqual([]);
    expect(calls.count()).toBe(1);
  });

  it('holds a call whose first fragment has no name, and sends its buffered arguments with the name', () => {
    const calls = tracker();
    expect(calls.toDeltas([{ index: 0, id: 'call_a', type: 'function', function: { arguments: '{"a":' } }])).toEqual([]);
    expect(calls.count()).toBe(0);
    expect(calls.toDeltas([{ index: 0, id: '', function: { arguments: ' 1' } }])).toEqual([]);
    expect(calls.toDeltas([{ index: 0, id: '', function: { name: 'f', arguments: '}' } }])).toEqual([
      { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"a": 1}' } },
    ]);
    expect(calls.count()).toBe(1);
    expect(calls.toDeltas([piece(0, ' ')])).toEqual([{ index: 0, function: { arguments: ' ' } }]);
  });

  it('takes the id from a later fragment when the first one had none', () => {
    const calls = tracker();
    expect(calls.toDeltas([{ index: 0, id: '', function: { arguments: '{' } }])).toEqual([]);
    expect(calls.toDeltas([{ index: 0, id: 'call_late', function: { name: 'f', arguments: '}' } }])).toEqual([
      { index: 0, id: 'call_late', type: 'function', function: { name: 'f', arguments: '{}' } },
    ]);
  });

  it('numbers DashScope indices that are not dense 0, 1, … in the order they appear', () => {
    const calls = tracker();
    expect(calls.toDeltas([first(3, 'call_a', 'f', '{')])).toEqual([
      { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{' } },
    ]);
    expect(calls.toDeltas([first(7, 'call_b', 'g', '[')])).toEqual([
      { index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '[' } },
    ]);
    expect(calls.toDeltas([piece(3, '}')])).toEqual([{ index: 0, function: { arguments: '}' } }]);
    expect(calls.toDeltas([piece(7, ']')])).toEqual([{ index: 1, function: { arguments: ']' } }]);
    expect(calls.count()).toBe(2);
  });

  it('numbers calls that come in descending DashScope order by appearance too', () => {
    const calls = tracker();
    expect(calls.toDeltas([first(5, 'call_a', 'f'), first(2, 'call_b', 'g')]).map((delta) => [delta.index, delta.id])).toEqual([
      [0, 'call_a'],
      [1, 'call_b'],
    ]);
  });

  it('tells fragments without an index apart by their position in the event', () => {
    const calls = tracker();
    expect(calls.toDeltas([first(undefined, 'call_a', 'f', '{"x":'), first(undefined, 'call_b', 'g', '{"y":')])).toEqual([
      { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x":' } },
      { index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '{"y":' } },
    ]);
    expect(calls.toDeltas([piece(undefined, '1}'), piece(undefined, '2}')])).toEqual([
      { index: 0, function: { arguments: '1}' } },
      { index: 1, function: { arguments: '2}' } },
    ]);
    expect(calls.count()).toBe(2);
  });

  it('merges two fragments of one call in one event into one delta', () => {
    const calls = tracker();
    expect(calls.toDeltas([first(0, 'call_a', 'f', '{"a"'), piece(0, ': 1'), piece(0, '}')])).toEqual([
      { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"a": 1}' } },
    ]);
    expect(calls.toDeltas([piece(0, ' '), piece(0, ' ')])).toEqual([{ index: 0, function: { arguments: '  ' } }]);
  });

  it('handles the recorded event with an empty piece of call 0 and the start of call 1', () => {
    const calls = tracker();
    calls.toDeltas([first(0, 'call_aa99ad078f294a3d81da41d7', 'get_current_weather', '{"location": ')]);
    calls.toDeltas([piece(0, '"浙江省杭州市"}')]);
    expect(calls.toDeltas([piece(0, ''), first(1, 'call_aa8b6311567847e197e6ca7f', 'get_current_weather', '')])).toEqual([
      { index: 1, id: 'call_aa8b6311567847e197e6ca7f', type: 'function', function: { name: 'get_current_weather', arguments: '' } },
    ]);
    expect(calls.count()).toBe(2);
  });

  it('sends pieces of two calls in one event as two deltas', () => {
    const calls = tracker();
    calls.toDeltas([first(0, 'call_a', 'f'), first(1, 'call_b', 'g')]);
    expect(calls.toDeltas([piece(0, 'x'), piece(1, 'y')])).toEqual([
      { index: 0, function: { arguments: 'x' } },
      { index: 1, function: { arguments: 'y' } },
    ]);
  });

  it('never forwards id "": a call whose id is "" or missing gets a generated call_ id', () => {
    const calls = tracker(['4f1c-77ab', 'x_y-z']);
    const deltas = [
      ...calls.toDeltas([first(0, '', 'f', '{}')]),
      ...calls.toDeltas([{ index: 1, type: 'function', function: { name: 'g', arguments: '{}' } }]),
      ...calls.toDeltas([{ index: 2, id: null, function: { name: 'h', arguments: '' } }]),
      ...calls.toDeltas([piece(0, ' '), piece(1, ' ')]),
    ];
    expect(deltas.map((delta) => delta.id)).toEqual(['call_4f1c77ab', 'call_xyz', 'call_exhausted', undefined, undefined]);
    for (const delta of deltas) expect(delta.id).not.toBe('');
    // Continuations carry no id key at all, not even an undefined one in JSON.
    expect(JSON.stringify(deltas.at(-1))).toBe('{"index":1,"function":{"arguments":" "}}');
    expect(calls.count()).toBe(3);
  });

  it('keeps the first real id: a later fragment cannot replace it', () => {
    const calls = tracker();
    expect(calls.toDeltas([{ index: 0, id: 'call_first', function: { arguments: '' } }])).toEqual([]);
    expect(calls.toDeltas([{ index: 0, id: 'call_second', function: { name: 'f', arguments: '' } }])).toEqual([
      { index: 0, id: 'call_first', type: 'function', function: { name: 'f', arguments: '' } },
    ]);
  });

  it('treats function: null and arguments: null as no text', () => {
    const calls = tracker();
    expect(calls.toDeltas([{ index: 0, id: 'call_a', function: null }])).toEqual([]);
    expect(calls.toDeltas([{ index: 0, id: '', function: { name: 'f', arguments: null } }])).toEqual([
      { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } },
    ]);
    expect(calls.toDeltas([{ index: 0, id: '', function: { arguments: null } }])).toEqual([]);
  });

  it('count() counts announced calls only', () => {
    const calls = tracker();
    expect(calls.count()).toBe(0);
    calls.toDeltas([first(0, 'call_a', 'f'), { index: 1, id: 'call_b', function: { arguments: '{' } }]);
    expect(calls.count()).toBe(1);
    calls.toDeltas([{ index: 1, id: '', function: { name: 'g', arguments: '}' } }]);
    expect(calls.count()).toBe(2);
    calls.toDeltas([piece(0, 'x'), piece(1, 'y')]);
    expect(calls.count()).toBe(2);
  });

  // A hole would break OpenAI's SDK: finalChatCompletion() throws on a stream whose indices skip one.
  it('keeps the client indices dense when a held call is never named', () => {
    const calls = tracker();
    expect(calls.toDeltas([{ index: 0, id: 'call_a', function: { arguments: '{"a":1}' } }])).toEqual([]);
    expect(calls.toDeltas([first(1, 'call_b', 'g', '{}')])).toEqual([
      { index: 0, id: 'call_b', type: 'function', function: { name: 'g', arguments: '{}' } },
    ]);
    expect(calls.count()).toBe(1);
  });

  it('does not merge a fragment without index into the call whose DashScope index equals its position', () => {
    const calls = tracker();
    expect(calls.toDeltas([first(1, 'call_a', 'f', '1'), first(undefined, 'call_b', 'g', '2')])).toEqual([
      { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '1' } },
      { index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '2' } },
    ]);
    expect(calls.count()).toBe(2);
  });

  it('keeps separate trackers separate (one per choice)', () => {
    const a = tracker();
    const b = tracker();
    a.toDeltas([first(4, 'call_a', 'f')]);
    expect(b.toDeltas([first(9, 'call_b', 'g')])[0]?.index).toBe(0);
    expect(a.count()).toBe(1);
    expect(b.count()).toBe(1);
  });
});
