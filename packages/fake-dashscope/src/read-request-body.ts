import type { IncomingMessage } from 'node:http';

// Large enough for base64 images in multimodal requests, small enough that a runaway client cannot
// exhaust a test process.
const DEFAULT_LIMIT_BYTES = 16 * 1024 * 1024;

/** The whole request body as UTF-8; bytes beyond the limit are drained and dropped (`tooLarge`). */
export async function readRequestBody(
  request: IncomingMessage,
  limitBytes: number = DEFAULT_LIMIT_BYTES,
): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size <= limitBytes) chunks.push(bytes);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > limitBytes };
}
