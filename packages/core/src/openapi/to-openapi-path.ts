/** Express's `:param` segments as OpenAPI's `{param}`, with the parameter names in order. */
export function toOpenAPIPath(expressPath: string): { path: string; parameters: string[] } {
  const parameters: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_$][\w$]*)/g, (_match, name: string) => {
    parameters.push(name);
    return `{${name}}`;
  });
  return { path, parameters };
}
