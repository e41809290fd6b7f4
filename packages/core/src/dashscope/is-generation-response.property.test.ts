import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { dashScopeGenerationResponseSchema } from './generation-response-schema.js';
import { isDashScopeGenerationResponse } from './is-generation-response.js';

/** Values of every JSON type, and the odd ones JSON.parse can give (1e400 is Infinity). */
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.string({ maxLength: 4 }),
  fc.constant([]),
  fc.constant({}),
);

/** Shapes near DashScope's, each field sometimes of the right type and sometimes not. */
const sometimes = <T>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: right }, { weight: 1, arbitrary: anyValue });
const text = fc.string({ maxLength: 6 });
const content = fc.oneof(text, fc.array(fc.record({ text: sometimes(text) }, { requiredKeys: [] }), { maxLength: 3 }), fc.constant(null));
const nullable = <T>(right: fc.Arbitrary<T>) => sometimes(fc.oneof(right, fc.constant(null)));
const toolCall = fc.record(
  {
    index: sometimes(fc.nat(3)),
    id: nullable(text),
    type: nullable(text),
    function: nullable(fc.record({ name: nullable(text), arguments: nullable(text) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);
const tokenLogprob = fc.record(
  {
    token: sometimes(text),
    logprob: sometimes(fc.double({ max: 0, noNaN: true })),
    bytes: nullable(fc.array(sometimes(fc.nat(255)), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);
const logprobs = fc.record(
  {
    content: nullable(
      fc.array(
        sometimes(
          fc.record(
            {
              token: sometimes(text),
              logprob: sometimes(fc.double({ max: 0, noNaN: true })),
              bytes: nullable(fc.array(sometimes(fc.nat(255)), { maxLength: 3 })),
              top_logprobs: nullable(fc.array(sometimes(tokenLogprob), { maxLength: 2 })),
            },
            { requiredKeys: [] },
          ),
        ),
        { maxLength: 2 },
      ),
    ),
  },
  { requiredKeys: [] },
);
const choice = fc.record(
  {
    index: sometimes(fc.nat(3)),
    finish_reason: sometimes(fc.oneof(text, fc.constant(null))),
    message: sometimes(
      fc.record(
        {
          role: sometimes(text),
          content: sometimes(content),
          reasoning_content: nullable(text),
          tool_calls: nullable(fc.array(sometimes(toolCall), { maxLength: 2 })),
        },
        { requiredKeys: [] },
      ),
    ),
    logprobs: nullable(logprobs),
  },
  { requiredKeys: [] },
);
const usage = fc.record(
  {
    input_tokens: sometimes(fc.nat()),
    output_tokens: sometimes(fc.nat()),
    total_tokens: sometimes(fc.nat()),
    prompt_tokens_details: sometimes(fc.record({ cached_tokens: sometimes(fc.nat()) }, { requiredKeys: [] })),
    output_tokens_details: sometimes(fc.record({ reasoning_tokens: sometimes(fc.nat()) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);
const response = fc.record(
  {
    output: sometimes(
      fc.record(
        { choices: sometimes(fc.array(sometimes(choice), { maxLength: 3 })), text: sometimes(text), finish_reason: sometimes(text) },
        { requiredKeys: [] },
      ),
    ),
    usage: sometimes(usage),
    request_id: sometimes(text),
    code: sometimes(text),
    message: sometimes(text),
    msg: sometimes(text),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

describe('isDashScopeGenerationResponse', () => {
  it('answers exactly as the zod schema does', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 9, arbitrary: response }, { weight: 1, arbitrary: anyValue }), (value) => {
        expect(isDashScopeGenerationResponse(value)).toBe(dashScopeGenerationResponseSchema.safeParse(value).success);
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts both halves of the property (a test that never saw a true would prove nothing)', () => {
    const seen = new Set<boolean>();
    fc.assert(
      fc.property(response, (value) => {
        seen.add(isDashScopeGenerationResponse(value));
      }),
      { numRuns: 300 },
    );
    expect(seen).toEqual(new Set([true, false]));
  });
});
