import type { ResponseFormat } from '../requests/parse-response-format.js';
import { echo, variantSuffix } from './answer-text.js';
import { toPythonJson } from './python-json.js';
import { valueFromSchema } from './value-from-schema.js';

// The answer in JSON mode: a JSON object echoing the request, or a value that fits the given schema.

const JSON_ECHO_LENGTH = 20;

export function generateJsonAnswer({
  responseFormat,
  said,
  variant,
}: {
  responseFormat: Exclude<ResponseFormat, { type: 'text' }>;
  said: string;
  variant: number;
}): string {
  const text = `${echo(said, JSON_ECHO_LENGTH)}${variantSuffix(variant)}`;
  if (responseFormat.type === 'json_object') return toPythonJson({ answer: text });
  return toPythonJson(responseFormat.schema === undefined ? {} : valueFromSchema({ schema: responseFormat.schema, text }));
}
