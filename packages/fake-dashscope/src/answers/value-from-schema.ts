import { isRecord } from '../is-record.js';

// A deterministic value that fits a JSON schema, for tool-call arguments and json_schema answers: a
// real model fills the fields from the conversation, the fake fills every string with `text`.

// Deep enough for any realistic tool signature; stops self-referencing schemas.
const MAX_DEPTH = 6;

/**
 * Strings become `text`, numbers and integers 1, booleans true, arrays [], an enum its first value;
 * objects get every `required` property (every property when `required` is absent), filled the same
 * way. Local `$ref`s (`#/$defs/...`, `#/definitions/...`, as pydantic and zod emit) are followed.
 */
export function valueFromSchema({ schema, text }: { schema: unknown; text: string }): unknown {
  return fill({ schema, root: schema, text, depth: 0 });
}

function fill({ schema, root, text, depth }: { schema: unknown; root: unknown; text: string; depth: number }): unknown {
  if (!isRecord(schema) || depth > MAX_DEPTH) return text;
  if (typeof schema.$ref === 'string') return fill({ schema: resolveRef(root, schema.$ref), root, text, depth: depth + 1 });
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const branches = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (Array.isArray(branches) && branches.length > 0) {
    const branch = branches.find((candidate) => !(isRecord(candidate) && candidate.type === 'null')) ?? branches[0];
    return fill({ schema: branch, root, text, depth: depth + 1 });
  }
  const type = Array.isArray(schema.type) ? (schema.type.find((name) => name !== 'null') ?? 'null') : schema.type;
  switch (type) {
    case 'string':
      return text;
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'null':
      return null;
    case 'object':
      return fillObject({ schema, root, text, depth });
    default:
      return isRecord(schema.properties) ? fillObject({ schema, root, text, depth }) : text;
  }
}

function fillObject({
  schema,
  root,
  text,
  depth,
}: {
  schema: Record<string, unknown>;
  root: unknown;
  text: string;
  depth: number;
}): Record<string, unknown> {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const names = Array.isArray(schema.required)
    ? schema.required.filter((name): name is string => typeof name === 'string')
    : Object.keys(properties);
  const value: Record<string, unknown> = {};
  for (const name of names) value[name] = fill({ schema: properties[name], root, text, depth: depth + 1 });
  return value;
}

function resolveRef(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    node = isRecord(node) ? node[segment.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
  }
  return node;
}
