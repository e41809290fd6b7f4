export type ParsedRequestBody = { isJson: true; value: unknown } | { isJson: false; value: string };

/** JSON when it parses (a leading byte-order mark is tolerated), else the raw text. */
export function parseRequestBody(text: string): ParsedRequestBody {
  const withoutBom = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return { isJson: true, value: JSON.parse(withoutBom) as unknown };
  } catch {
    return { isJson: false, value: text };
  }
}
