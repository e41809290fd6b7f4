import { z } from 'zod';

/**
 * Any JSON object, passed on as the client sent it: a tool's parameter schema, a response schema,
 * search options. Not copied, because zod's record and object copies drop an own "__proto__" key, which
 * JSON.parse keeps and a JSON schema may legitimately name as a property.
 */
export const jsonObjectSchema = z
  .custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
    error: 'must be a JSON object',
  })
  .meta({ type: 'object', description: 'Any JSON object, sent to DashScope as it is.' });
