#!/usr/bin/env node
// Extracts the OpenAI response schemas the gateway must match from OpenAI's official OpenAPI spec
// and writes them as plain JSON Schema 2020-12 to packages/testkit/src/openai-schemas.json
// (plus the MIT notice of the source to packages/testkit/src/OPENAI-LICENSE.md).
//
// Usage: node scripts/extract-openai-schemas.mjs [path/to/openapi.yaml] [--out-dir DIR]
//   default input: ../shared/openai-openapi/openapi.yaml relative to the repository root
//   (the MIT notice is read from README.md next to it);
//   default output directory: packages/testkit/src.
//
// The spec says OpenAPI 3.1 but keeps OpenAPI 3.0 habits (see ../shared/openai-openapi/README.md);
// this script converts them:
//   - `nullable: true` (also next to `$ref` / `enum`)   -> anyOf: [<schema>, { type: 'null' }]
//   - boolean `exclusiveMinimum/Maximum` (3.0 form)     -> numeric 2020 form (from minimum/maximum)
//   - `discriminator`, `x-*`, `example(s)`, `deprecated`, `description`, `format: unixtime` -> dropped
//   - `$ref: '#/components/schemas/X'`                  -> `$ref: '#/$defs/X'`
//   - object-shaped schemas without `type` (e.g. Model) -> `type: 'object'` added
// Only schema keywords are rewritten; property names (keys of `properties`) and values of
// `enum` / `const` / `default` are copied verbatim. Output is deterministic.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let outDirArg;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out-dir') outDirArg = args[++i];
  else if (args[i] === '-h' || args[i] === '--help') {
    console.log('usage: node scripts/extract-openai-schemas.mjs [path/to/openapi.yaml] [--out-dir DIR]');
    process.exit(0);
  } else positional.push(args[i]);
}
const inputPath = resolve(positional[0] ?? resolve(repoRoot, '../shared/openai-openapi/openapi.yaml'));
const sourceDir = dirname(inputPath);
const outDir = resolve(outDirArg ?? resolve(repoRoot, 'packages/testkit/src'));
const outJson = resolve(outDir, 'openai-schemas.json');
const outLicense = resolve(outDir, 'OPENAI-LICENSE.md');

const ROOTS = [
  'CreateChatCompletionResponse',
  'CreateChatCompletionStreamResponse',
  'ListModelsResponse',
  'Model',
  'ErrorResponse',
  'CreateEmbeddingResponse',
  'CreateCompletionResponse',
];

/** The snapshot described in ../shared/openai-openapi/README.md. */
const KNOWN_SOURCE = {
  repo: 'openai/openai-openapi',
  commit: 'f85dbe223d40e1a31cba812ab2d755c7e98a92a3',
  sha256: 'db5d7478feae10b4d331834c60d9765a8aa042e38419f9b1694288c11aa8ebc8',
};

const COMPONENT_PREFIX = '#/components/schemas/';

// Keywords whose value is a single subschema.
const SCHEMA_KEYWORDS = new Set([
  'items',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'not',
  'contains',
  'propertyNames',
  'if',
  'then',
  'else',
  'additionalItems',
]);
// Keywords whose value is an array of subschemas.
const SCHEMA_ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
// Keywords whose value is a map name -> subschema.
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
// Annotation-only keywords dropped to keep the file small (no validation meaning).
const DROPPED_KEYWORDS = new Set(['discriminator', 'example', 'examples', 'deprecated', 'description', 'externalDocs', 'xml']);
// Formats that are OpenAI's own and mean nothing to a JSON Schema validator.
const DROPPED_FORMATS = new Set(['unixtime']);

function fail(message) {
  console.error(`extract-openai-schemas: ${message}`);
  process.exit(1);
}

function refTarget(ref, where) {
  if (typeof ref !== 'string' || !ref.startsWith(COMPONENT_PREFIX)) {
    fail(`unsupported $ref ${JSON.stringify(ref)} at ${where}`);
  }
  return decodeURIComponent(ref.slice(COMPONENT_PREFIX.length)).replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Converts one OpenAPI schema object into JSON Schema 2020-12; collects referenced component names. */
function convert(schema, where, refs) {
  if (typeof schema === 'boolean') return schema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    fail(`expected a schema object at ${where}, got ${JSON.stringify(schema)}`);
  }
  const out = {};
  let nullable = false;
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-') || DROPPED_KEYWORDS.has(key)) continue;
    if (key === 'nullable') {
      nullable = value === true;
      continue;
    }
    if (key === 'format' && DROPPED_FORMATS.has(value)) continue;
    if (key === '$ref') {
      const name = refTarget(value, where);
      refs.add(name);
      out.$ref = `#/$defs/${name}`;
    } else if (SCHEMA_KEYWORDS.has(key)) {
      out[key] = convert(value, `${where}/${key}`, refs);
    } else if (SCHEMA_ARRAY_KEYWORDS.has(key)) {
      if (!Array.isArray(value)) fail(`${key} must be an array at ${where}`);
      out[key] = value.map((s, i) => convert(s, `${where}/${key}/${i}`, refs));
    } else if (SCHEMA_MAP_KEYWORDS.has(key)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, convert(s, `${where}/${key}/${name}`, refs)]));
    } else {
      // enum, const, default, required, type, minimum, pattern, title, ...: copied verbatim.
      out[key] = structuredClone(value);
    }
  }

  // OpenAPI 3.0 boolean exclusiveMinimum/exclusiveMaximum -> 2020-12 numeric form.
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ]) {
    if (typeof out[exclusive] !== 'boolean') continue;
    if (out[exclusive]) {
      if (typeof out[bound] !== 'number') fail(`${exclusive}: true without numeric ${bound} at ${where}`);
      out[exclusive] = out[bound];
      delete out[bound];
    } else {
      delete out[exclusive];
    }
  }

  // A few component schemas (e.g. `Model`) list `properties`/`required` but no `type`; JSON Schema would
  // then accept any non-object (a bare string passes `required`). They are object schemas in the spec's
  // intent (and in the descriptions), so make that explicit.
  const composite = ['$ref', 'allOf', 'anyOf', 'oneOf', 'not', 'enum', 'const'].some((k) => k in out);
  if (!('type' in out) && !composite && ('properties' in out || 'required' in out || 'additionalProperties' in out)) {
    out.type = 'object';
  }

  if (nullable) {
    // `$ref` with siblings is fine in 2020-12, but keep the wrapped branch intact (enum, $ref, type...).
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

/** Sanity check: nothing OpenAPI-specific survived. */
function checkClean(node, where) {
  if (Array.isArray(node)) return node.forEach((n, i) => checkClean(n, `${where}/${i}`));
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable' || k === 'discriminator' || k.startsWith('x-')) {
      // A property *named* like this would be legitimate; only flag it when it is a keyword.
      if (!where.endsWith('/properties')) fail(`leftover ${k} at ${where}`);
    }
    if (k === '$ref' && typeof v === 'string' && !v.startsWith('#/$defs/')) fail(`leftover $ref ${v} at ${where}`);
    if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v === 'boolean') fail(`boolean ${k} at ${where}`);
    // Values of these are data, not schemas.
    const isData = !where.endsWith('/properties') && (k === 'default' || k === 'enum' || k === 'const');
    if (!isData) checkClean(v, `${where}/${k}`);
  }
}

function extractLicense(readme) {
  const heading = readme.indexOf('## License notice');
  if (heading < 0) fail(`no "## License notice" section in ${sourceDir}/README.md`);
  const match = /```[^\n]*\n([\s\S]*?)\n```/.exec(readme.slice(heading));
  if (!match || !/MIT License/.test(match[1])) fail('could not find the MIT notice in the README');
  return match[1];
}

const raw = readFileSync(inputPath);
const sha256 = createHash('sha256').update(raw).digest('hex');
const doc = parse(raw.toString('utf8'), { maxAliasCount: -1 });
const components = doc?.components?.schemas;
if (!components) fail(`${inputPath} has no components.schemas`);

const defs = {};
const queue = [...ROOTS];
while (queue.length > 0) {
  const name = queue.shift();
  if (name in defs) continue;
  if (!(name in components)) fail(`component schema ${name} not found`);
  const refs = new Set();
  defs[name] = convert(components[name], `#/components/schemas/${name}`, refs);
  for (const r of refs) if (!(r in defs)) queue.push(r);
}
checkClean(defs, '#/$defs');

const sourceNote =
  sha256 === KNOWN_SOURCE.sha256
    ? `commit ${KNOWN_SOURCE.commit}`
    : `UNKNOWN commit (file differs from commit ${KNOWN_SOURCE.commit}; update KNOWN_SOURCE in the script)`;
if (sha256 !== KNOWN_SOURCE.sha256) console.warn(`extract-openai-schemas: warning: input sha256 ${sha256} is not the known snapshot`);

const output = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $comment:
    `Derived from OpenAI's OpenAPI spec: source repo ${KNOWN_SOURCE.repo}, file openapi.yaml ` +
    `(info.version ${doc?.info?.version ?? '?'}), ${sourceNote}, sha256 ${sha256}. ` +
    `Copyright (c) OpenAI, MIT license (see OPENAI-LICENSE.md). ` +
    `Generated by scripts/extract-openai-schemas.mjs (component schemas ${ROOTS.join(', ')} and their $ref closure, ` +
    `converted to JSON Schema 2020-12: nullable -> anyOf null, OpenAPI 3.0 boolean exclusiveMinimum/Maximum -> numeric, ` +
    `descriptions/examples/deprecated/discriminator/x-* and format unixtime dropped, ` +
    `type object added where properties/required had no type). Do not edit by hand.`,
  $defs: sortKeys(defs),
};

mkdirSync(outDir, { recursive: true });
writeFileSync(outJson, `${JSON.stringify(output, null, 2)}\n`);

const license = extractLicense(readFileSync(resolve(sourceDir, 'README.md'), 'utf8'));
writeFileSync(
  outLicense,
  `# License of openai-schemas.json\n\n` +
    `\`openai-schemas.json\` in this directory is derived from \`openapi.yaml\` of the GitHub repository ` +
    `\`${KNOWN_SOURCE.repo}\` (${sourceNote}), by \`scripts/extract-openai-schemas.mjs\`. ` +
    `That file is distributed under the following license:\n\n` +
    '```\n' +
    license +
    '\n```\n',
);

console.log(`wrote ${Object.keys(defs).length} schemas to ${outJson}`);
console.log(`wrote ${outLicense}`);
