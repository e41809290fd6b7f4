/**
 * A vector as OpenAI's `encoding_format: "base64"` sends it: float32s, little-endian, base64. The openai
 * SDKs decode it with `new Float32Array(Buffer.from(text, 'base64').buffer)`. The DataView writes little
 * endian whatever the host's byte order; the Buffer is a view of the same bytes, not a copy.
 */
export function encodeEmbeddingBase64(vector: readonly number[]): string {
  const bytes = new ArrayBuffer(vector.length * Float32Array.BYTES_PER_ELEMENT);
  const view = new DataView(bytes);
  for (let index = 0; index < vector.length; index++) {
    view.setFloat32(index * Float32Array.BYTES_PER_ELEMENT, vector[index] as number, true);
  }
  return Buffer.from(bytes).toString('base64');
}
