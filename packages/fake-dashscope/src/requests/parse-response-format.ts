import { isRecord } from '../is-record.js';
import { invalidParameter } from '../wire-format.js';

// Structured output (protocol §3.2): plain text, any JSON object, or JSON following a schema.

export type ResponseFormat =
  { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown> | undefined };

const FORMAT_SHAPE =
  'Parameter "response_format" must be {"type": "text"}, {"type": "json_object"} or {"type": "json_schema", "json_schema": {"name": ..., "schema": {...}}}.';
// Recorded on the error-code page (DOC-ERR-COPY, protocol §3.2).
export const JSON_WORD_REQUIRED = "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";

export function parseResponseFormat(value: unknown): ResponseFormat {
  if (value === undefined || value === null) return { type: 'text' };
  if (!isRecord(value)) throw invalidParameter(FORMAT_SHAPE);
  switch (value.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const { json_schema: definition } = value;
      if (!isRecord(definition) || typeof definition.name !== 'string' || definition.name.length === 0)
        throw invalidParameter(FORMAT_SHAPE);
      const { schema } = definition;
      if (schema !== undefined && schema !== null && !isRecord(schema)) throw invalidParameter(FORMAT_SHAPE);
      return { type: 'json_schema', name: definition.name, schema: isRecord(schema) ? schema : undefined };
    }
    default:
      throw invalidParameter(FORMAT_SHAPE);
  }
}
