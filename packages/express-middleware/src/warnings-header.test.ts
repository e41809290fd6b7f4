import { describe, expect, it } from '@jest/globals';
import { formatWarningsHeader } from './warnings-header.js';

describe('formatWarningsHeader', () => {
  it('joins the messages without their final periods', () => {
    expect(
      formatWarningsHeader([
        { code: 'parameter_dropped', param: 'frequency_penalty', message: "Parameter 'frequency_penalty' was dropped: no equivalent." },
        { code: 'parameter_dropped', param: 'user', message: "Parameter 'user' was dropped: DashScope has no equivalent." },
      ]),
    ).toBe("Parameter 'frequency_penalty' was dropped: no equivalent; Parameter 'user' was dropped: DashScope has no equivalent");
  });

  it('keeps a header value printable ASCII on one line, whatever a message quotes', () => {
    const value = formatWarningsHeader([{ code: 'parameter_converted', param: 'x', message: 'a\r\nb; c 杭州 \u0000.' }]);
    expect(value).toBe('a??b, c ?? ?');
    expect(value).toMatch(/^[\x20-\x7e]*$/);
  });
});
