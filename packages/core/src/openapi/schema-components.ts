import { z } from 'zod';
import type { JsonSchema } from './openapi-types.js';

export interface NamedSchema {
  name: string;
  schema: z.ZodType;
}

/**
 * Zod schemas as `components.schemas`, one conversion for all, so a schema used inside another (usage in
 * a completion, say) becomes a `$ref` to its component rather than a copy. Input types: what a client
 * may send is what the parser accepts, before any transform.
 */
export function toSchemaComponents(named: readonly NamedSchema[]): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const { name, schema } of named) {
    if (registry.has(schema)) throw new Error(`OpenAPI: one schema registered twice (as ${name} and ${registry.get(schema)?.id})`);
    registry.add(schema, { id: name });
  }
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const components: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    // A component is part of the document, not a standalone schema: `$id` would rebase its `$ref`s, and
    // OpenAPI 3.1 already declares the dialect.
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
    components[name] = rest;
  }
  return components;
}
