import { describe, expect, it } from '@jest/globals';
import { toOpenAPIPath } from './to-openapi-path.js';

describe('toOpenAPIPath', () => {
  it.each([
    ['/chat/completions', '/chat/completions', []],
    ['/models/:model', '/models/{model}', ['model']],
    ['/a/:first/b/:second_2', '/a/{first}/b/{second_2}', ['first', 'second_2']],
  ])('%s → %s', (express, openapi, parameters) => {
    expect(toOpenAPIPath(express)).toEqual({ path: openapi, parameters });
  });
});
