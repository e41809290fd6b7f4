import { describe, expect, it } from '@jest/globals';
import { toPythonJson } from './python-json.js';
import { valueFromSchema } from './value-from-schema.js';

describe('valueFromSchema', () => {
  it('fills required properties by type, every property when required is absent', () => {
    const schema = {
      type: 'object',
      properties: {
        s: { type: 'string' },
        n: { type: 'number' },
        i: { type: 'integer' },
        b: { type: 'boolean' },
        e: { type: 'string', enum: ['b', 'a'] },
        a: { type: 'array', items: { type: 'string' } },
        o: { type: 'object' },
        nullable: { type: ['null', 'string'] },
        skipped: { type: 'string' },
      },
      required: ['s', 'n', 'i', 'b', 'e', 'a', 'o', 'nullable'],
    };
    expect(valueFromSchema({ schema, text: 'T' })).toEqual({ s: 'T', n: 1, i: 1, b: true, e: 'b', a: [], o: {}, nullable: 'T' });
    expect(valueFromSchema({ schema: { properties: { x: { type: 'integer' } } }, text: 'T' })).toEqual({ x: 1 });
  });

  it('fills nested objects, follows local $refs and anyOf, and stops at a bounded depth', () => {
    const schema = {
      type: 'object',
      properties: { place: { $ref: '#/$defs/Place' }, when: { anyOf: [{ type: 'null' }, { type: 'integer' }] } },
      $defs: {
        Place: {
          type: 'object',
          properties: { city: { type: 'string' }, geo: { type: 'object', properties: { lat: { type: 'number' } } } },
        },
      },
    };
    expect(valueFromSchema({ schema, text: '杭州' })).toEqual({ place: { city: '杭州', geo: { lat: 1 } }, when: 1 });
    const loop = { type: 'object', properties: { self: { $ref: '#' } }, required: ['self'] };
    expect(JSON.stringify(valueFromSchema({ schema: loop, text: 'x' }))).toMatch(/^(\{"self":)+"x"\}+$/);
  });
});

describe('toPythonJson', () => {
  it("writes JSON like Python's json.dumps(ensure_ascii=False)", () => {
    expect(toPythonJson({ location: '浙江省杭州市' })).toBe('{"location": "浙江省杭州市"}');
    expect(toPythonJson({ a: [1, true, null, { b: 'x"y' }], c: {} })).toBe('{"a": [1, true, null, {"b": "x\\"y"}], "c": {}}');
  });
});
