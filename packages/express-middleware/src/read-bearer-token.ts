export type BearerToken = { kind: 'missing' } | { kind: 'malformed' } | { kind: 'invalid' } | { kind: 'token'; token: string };

const bearer = /^Bearer[ \t]+(.*)$/i;
/** Printable ASCII only: DashScope keys look like `sk-…`; anything else cannot be a key (nor a header value). */
export const plausibleApiKey = /^[\x21-\x7e]{1,256}$/;

/** Reads `Authorization: Bearer <token>` without trusting it. */
export function readBearerToken(header: string | undefined): BearerToken {
  if (header === undefined || header.trim() === '') return { kind: 'missing' };
  const match = bearer.exec(header.trim());
  if (match === null) return { kind: 'malformed' };
  const token = (match[1] ?? '').trim();
  if (!plausibleApiKey.test(token)) return { kind: 'invalid' };
  return { kind: 'token', token };
}
