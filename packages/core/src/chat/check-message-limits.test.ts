import { describe, expect, it } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { chatCompletionsEndpoint } from './chat-completions-endpoint.js';
import { checkMessageLimits } from './check-message-limits.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../endpoints/request-limits.js';
import { GatewayError } from '../errors/gateway-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import { parseChatCompletionRequest } from '../openai/parse-chat-completion-request.js';

function thrownBy(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    assertOpenAIShape('ErrorResponse', toOpenAIError(error).body);
    return error as GatewayError;
  }
  throw new Error('expected a GatewayError');
}

const small: RequestLimits = { maxMessages: 3, maxTextLength: 10 };

describe('the request limits on a chat body', () => {
  it('refuses 340,000 empty messages with OpenAI’s 400, naming messages, before the schema sees them', () => {
    const body = { model: 'qwen-turbo', messages: Array.from({ length: 340_000 }, () => ({})) };
    const error = thrownBy(() => parseChatCompletionRequest(body));
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      param: 'messages',
      code: 'array_above_max_length',
      message:
        "Invalid 'messages': array too long. Expected an array with maximum length 2048, but got an array with length 340000 instead.",
    });
  });

  it('accepts exactly the default cap of messages', () => {
    const messages = Array.from({ length: DEFAULT_REQUEST_LIMITS.maxMessages }, () => ({ role: 'user', content: 'hi' }));
    expect(parseChatCompletionRequest({ model: 'qwen-turbo', messages }).request.messages).toHaveLength(2048);
  });

  it('refuses text past the cap, counted across string contents and text parts', () => {
    const messages = [
      { role: 'system', content: 'abcd' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'efg' },
          { type: 'text', text: 'hij' },
        ],
      },
    ];
    expect(() => checkMessageLimits({ messages, limits: small })).not.toThrow();
    const error = thrownBy(() =>
      checkMessageLimits({ messages: [...messages.slice(0, 1), { role: 'user', content: 'efghijk' }], limits: small }),
    );
    expect(error).toMatchObject({ status: 400, param: 'messages', code: 'string_above_max_length' });
    expect(error.message).toBe(
      "Invalid 'messages': text too long. Expected at most 10 characters of text across all messages, but got at least 11.",
    );
  });

  it('applies the default text cap of 2,000,000 characters through the endpoint', () => {
    const half = 'x'.repeat(1_000_000);
    const fits = {
      model: 'qwen-turbo',
      messages: [
        { role: 'user', content: half },
        { role: 'assistant', content: half },
      ],
    };
    expect(() => chatCompletionsEndpoint.parse(fits)).not.toThrow();
    const over = { ...fits, messages: [...fits.messages, { role: 'user', content: 'y' }] };
    expect(thrownBy(() => chatCompletionsEndpoint.parse(over))).toMatchObject({ param: 'messages', code: 'string_above_max_length' });
  });

  it('stops counting as soon as the text passes its cap', () => {
    let visited = 0;
    const counted = (text: string) => ({
      role: 'user',
      get content() {
        visited += 1;
        return text;
      },
    });
    const messages = [counted('123456'), counted('78901'), counted('never read')];
    thrownBy(() => checkMessageLimits({ messages, limits: small }));
    expect(visited).toBe(2);
  });

  it('counts only text: names, other fields and non-text parts are left to the schema', () => {
    const messages = [
      { role: 'user', name: 'a-very-long-name', content: [{ type: 'image_url', image_url: { url: 'x'.repeat(100) } }] },
      { role: 'assistant', content: null, refusal: 'x'.repeat(100) },
      { role: 'user', content: [{ type: 'text', text: 12345678901 }, 'loose string part'] },
    ];
    expect(() => checkMessageLimits({ messages, limits: small })).not.toThrow();
  });

  it('caps content parts across all messages at the message cap, so parts cannot stand in for messages', () => {
    const part = { type: 'text', text: '' };
    expect(() => checkMessageLimits({ messages: [{ role: 'user', content: [part, part, part] }], limits: small })).not.toThrow();
    const error = thrownBy(() =>
      checkMessageLimits({
        messages: [
          { role: 'user', content: [part, part] },
          { role: 'user', content: [part, part] },
        ],
        limits: small,
      }),
    );
    expect(error).toMatchObject({ status: 400, param: 'messages', code: 'array_above_max_length' });
    const huge = { model: 'qwen-turbo', messages: [{ role: 'user', content: Array.from({ length: 400_000 }, () => part) }] };
    expect(thrownBy(() => parseChatCompletionRequest(huge))).toMatchObject({ param: 'messages', code: 'array_above_max_length' });
  });

  it('leaves bodies that are not shaped like chat requests to the schema', () => {
    for (const messages of [undefined, null, 'hello', 42, { length: 1_000_000 }]) {
      expect(() => checkMessageLimits({ messages, limits: small })).not.toThrow();
    }
    expect(thrownBy(() => parseChatCompletionRequest({ model: 'qwen-turbo', messages: 'hello' }))).toMatchObject({ param: 'messages' });
  });

  it('takes limits through the endpoint’s parse', () => {
    const body = { model: 'qwen-turbo', messages: Array.from({ length: 4 }, () => ({ role: 'user', content: 'a' })) };
    expect(() => chatCompletionsEndpoint.parse(body)).not.toThrow();
    expect(thrownBy(() => chatCompletionsEndpoint.parse(body, small))).toMatchObject({
      message: "Invalid 'messages': array too long. Expected an array with maximum length 3, but got an array with length 4 instead.",
    });
  });
});
