import { expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { GatewayError } from '../errors/gateway-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';

/**
 * Runs an endpoint's parser on a body it must refuse: the 400 GatewayError it throws, checked to be an
 * invalid_request_error whose OpenAI body has OpenAI's error shape.
 */
export function expectParseError(parse: () => unknown, body: unknown): GatewayError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError).toMatchObject({ status: 400, type: 'invalid_request_error' });
    assertOpenAIShape('ErrorResponse', toOpenAIError(gatewayError).body);
    return gatewayError;
  }
  throw new Error(`expected a 400 for ${JSON.stringify(body)}`);
}
