import { createHash } from 'node:crypto';

/**
 * A deterministic unit-length vector derived from SHA-256 of the text: equal texts get equal
 * vectors, different texts different ones, and values fall in the same small range as real
 * DashScope embeddings (which are L2-normalised).
 */
export function embedText({ text, dimension }: { text: string; dimension: number }): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimension; block += 1) {
    const digest = createHash('sha256').update(`${block}\u0000${text}`).digest();
    for (let offset = 0; offset + 4 <= digest.length && values.length < dimension; offset += 4) {
      values.push((digest.readUInt32BE(offset) / 0xffffffff) * 2 - 1);
    }
  }
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0)) || 1;
  return values.map((value) => value / norm);
}
