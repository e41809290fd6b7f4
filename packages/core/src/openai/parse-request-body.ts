import type { z } from 'zod';
import { invalidRequest } from '../errors/gateway-error.js';
import { formatParam } from './format-param.js';

/**
 * A client's JSON body against an endpoint's strict schema, with OpenAI's messages: a missing field is
 * `Missing required parameter: '<param>'`, an unknown one `Unrecognized request argument supplied: <param>`,
 * a bad value `Invalid value for '<param>'`; each a 400 naming the `param`.
 */
export function parseRequestBody<Schema extends z.ZodType>({ schema, body }: { schema: Schema; body: unknown }): z.output<Schema> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.', { code: 'invalid_request_body' });
  }
  const result = schema.safeParse(body);
  if (!result.success) throw toValidationError(result.error, body);
  return result.data;
}

function toValidationError(error: z.ZodError, body: unknown) {
  const issue = error.issues[0];
  if (issue === undefined) return invalidRequest('The request body is invalid.');
  if (issue.code === 'unrecognized_keys') {
    const param = formatParam([...issue.path, issue.keys[0] ?? '']);
    return invalidRequest(`Unrecognized request argument supplied: ${param}`, { param });
  }
  if (issue.path.length === 0) return invalidRequest(issue.message);
  const param = formatParam(issue.path);
  if (valueAt(body, issue.path) === undefined) {
    return invalidRequest(`Missing required parameter: '${param}'.`, { param, code: 'missing_required_parameter' });
  }
  return invalidRequest(`Invalid value for '${param}': ${issue.message}`, { param, code: 'invalid_value' });
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    // Own keys only: a "constructor" path must not find Object.prototype's.
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
