import type { IncomingHttpHeaders } from 'node:http';

/** The key of `Authorization: Bearer <key>`, or undefined when the header is missing or not Bearer. */
export function extractApiKey(headers: IncomingHttpHeaders): string | undefined {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}
