// Checks values against OpenAI's own response schemas (openai-schemas.json, generated from OpenAI's
// OpenAPI spec by scripts/extract-openai-schemas.mjs; see OPENAI-LICENSE.md).
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

export type OpenAISchemaName =
  | 'CreateChatCompletionResponse'
  | 'CreateChatCompletionStreamResponse'
  | 'ListModelsResponse'
  | 'Model'
  | 'ErrorResponse'
  | 'CreateEmbeddingResponse'
  | 'CreateCompletionResponse'
  /**
   * A streamed legacy completion chunk. OpenAI's spec reuses CreateCompletionResponse for chunks, whose
   * finish_reason cannot be null, while the real API sends null until a choice ends: this is that schema
   * with a nullable finish_reason, nothing else changed.
   */
  | 'CreateCompletionStreamChunk';

const SCHEMA_KEY = 'openai-schemas.json';

let ajv: Ajv2020 | undefined;
const validators = new Map<OpenAISchemaName, ValidateFunction>();

function getAjv(): Ajv2020 {
  if (ajv) return ajv;
  const doc = JSON.parse(readFileSync(new URL('./openai-schemas.json', import.meta.url), 'utf8')) as { $defs: Record<string, unknown> };
  doc.$defs.CreateCompletionStreamChunk = withNullableFinishReason(doc.$defs.CreateCompletionResponse);
  const instance = new Ajv2020({
    strict: false, // the spec uses keywords/annotations Ajv's strict mode would reject (title, default next to $ref...)
    allErrors: true,
    coerceTypes: false,
    useDefaults: false,
    removeAdditional: false,
    validateFormats: true,
    logger: {
      log: console.log,
      // With strict: false Ajv only *warns* about e.g. unknown formats (and then ignores them). Here that
      // would silently weaken the check, so make it loud.
      warn: (...args: unknown[]) => {
        throw new Error(`@gw/testkit: Ajv warning while compiling OpenAI schemas: ${args.map(String).join(' ')}`);
      },
      error: console.error,
    },
  });
  // The formats used by the extracted schemas (Ajv has none built in; ajv-formats is not a dependency).
  instance.addFormat('uri', { type: 'string', validate: (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && URL.canParse(s) });
  instance.addFormat('date', {
    type: 'string',
    validate: (s: string) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
      if (!m) return false;
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
    },
  });
  instance.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  // Dropped by the extraction script, registered anyway in case a regenerated file keeps it.
  instance.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  instance.addSchema(doc, SCHEMA_KEY);
  ajv = instance;
  return instance;
}

function withNullableFinishReason(schema: unknown): unknown {
  const copy = structuredClone(schema) as { properties: { choices: { items: { properties: Record<string, unknown> } } } };
  const choice = copy.properties.choices.items.properties;
  choice.finish_reason = { anyOf: [choice.finish_reason, { type: 'null' }] };
  return copy;
}

function getValidator(schema: OpenAISchemaName): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = getAjv().getSchema(`${SCHEMA_KEY}#/$defs/${schema}`);
    if (!validate) throw new Error(`@gw/testkit: unknown OpenAI schema ${JSON.stringify(schema)}`);
    validators.set(schema, validate);
  }
  return validate;
}

/** Value at a JSON pointer such as `/choices/0/message`, or undefined. */
function at(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let cur: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function describe(err: ErrorObject, value: unknown): string {
  const where = err.instancePath === '' ? '(root)' : err.instancePath;
  const params = err.params as Record<string, unknown>;
  let detail = '';
  switch (err.keyword) {
    case 'enum':
      detail = ` ${show(params.allowedValues)}, got ${show(at(value, err.instancePath))}`;
      break;
    case 'const':
      detail = ` ${show(params.allowedValue)}, got ${show(at(value, err.instancePath))}`;
      break;
    case 'type':
    case 'format':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      detail = `, got ${show(at(value, err.instancePath))}`;
      break;
    case 'additionalProperties':
      detail = `: ${show(params.additionalProperty)}`;
      break;
  }
  return `${where} ${err.message ?? err.keyword}${detail} [${err.schemaPath}]`;
}

/**
 * Drops the "must be null" alternative of a nullable field (`anyOf: [X, {type: 'null'}]`) when X itself
 * reported something more specific at that place: the specific error (plus "must match a schema in anyOf")
 * says more than "or it could have been null".
 */
function prune(errors: ErrorObject[]): ErrorObject[] {
  return errors.filter((e) => {
    if (!(e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null')) return true;
    return !errors.some(
      (o) =>
        o !== e &&
        o.keyword !== 'anyOf' &&
        !(o.keyword === 'type' && (o.params as { type?: unknown }).type === 'null') &&
        (o.instancePath === e.instancePath || o.instancePath.startsWith(`${e.instancePath}/`)),
    );
  });
}

/** Returns human-readable Ajv errors (empty when valid). Validators are compiled once and cached. */
export function validateOpenAIShape(schema: OpenAISchemaName, value: unknown): string[] {
  const validate = getValidator(schema);
  if (validate(value)) return [];
  const messages = prune(validate.errors ?? []).map((e) => describe(e, value));
  return [...new Set(messages)];
}

/** Throws an Error listing the violations (and the offending JSON) when value does not match. */
export function assertOpenAIShape(schema: OpenAISchemaName, value: unknown): void {
  const errors = validateOpenAIShape(schema, value);
  if (errors.length === 0) return;
  let json: string;
  try {
    json = JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    json = String(value);
  }
  if (json.length > 4000) json = `${json.slice(0, 4000)}\n... (${json.length - 4000} more characters)`;
  throw new Error(
    `Value does not match OpenAI schema ${schema} (${errors.length} violation${errors.length === 1 ? '' : 's'}):\n` +
      errors.map((e) => `  - ${e}`).join('\n') +
      `\nValue:\n${json}`,
  );
}
