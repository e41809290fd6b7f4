import type { Request, RequestHandler, Response } from 'express';
import {
  buildOpenAPIDocument,
  type BuildOpenAPIDocumentOptions,
  type OpenAPIDocument,
  type OperationObject,
  type Reference,
  type ResponseObject,
} from '@gw/core';

export type DocsPageOptions = BuildOpenAPIDocumentOptions;

/** Nothing on the page runs or loads: inline styles only, so a hostile string can do nothing even if one slipped through. */
export const DOCS_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** A GET handler answering the OpenAPI document as one readable HTML page, rendered once. */
export function docsPage(options: DocsPageOptions): RequestHandler {
  const html = renderDocsPage(buildOpenAPIDocument(options));
  return function docsPageHandler(_req: Request, res: Response): void {
    res.set('content-security-policy', DOCS_PAGE_CSP);
    res.set('x-content-type-options', 'nosniff');
    res.set('cache-control', 'public, max-age=300');
    res.type('html').send(html);
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);

/** Escaped text, with the descriptions' `code` spans kept as code (they are written in Markdown). */
const prose = (text: string | undefined) => escapeHtml(text ?? '').replace(/`([^`]+)`/g, '<code>$1</code>');

/** Pretty JSON, escaped, with each schema reference a link to that schema below. */
const json = (value: unknown) =>
  escapeHtml(JSON.stringify(value, null, 2)).replace(
    /&quot;#\/components\/schemas\/([\w.-]+)&quot;/g,
    '&quot;<a href="#schema-$1">#/components/schemas/$1</a>&quot;',
  );

const collapsible = (title: string, body: string, id?: string) =>
  `<details${id === undefined ? '' : ` id="${escapeHtml(id)}"`}><summary>${title}</summary><pre>${body}</pre></details>`;

function resolve<T>(document: OpenAPIDocument, value: T | Reference): T {
  if (typeof value !== 'object' || value === null || !('$ref' in value)) return value as T;
  const found = value.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
  return (found ?? value) as T;
}

const schemaName = (schema: unknown) => /^#\/components\/schemas\/(.+)$/.exec(String((schema as Reference | undefined)?.$ref))?.[1];

function renderSchema(schema: unknown): string {
  const name = schemaName(schema);
  return name === undefined
    ? collapsible('Schema', json(schema))
    : `<p>Schema: <a href="#schema-${escapeHtml(name)}"><code>${escapeHtml(name)}</code></a></p>`;
}

function renderAuth(operation: OperationObject): string {
  return operation.security.length === 0
    ? '<p class="auth">Auth: none</p>'
    : '<p class="auth">Auth: <code>Authorization: Bearer &lt;your DashScope API key&gt;</code></p>';
}

function renderParameters(operation: OperationObject): string {
  if (operation.parameters === undefined || operation.parameters.length === 0) return '';
  const rows = operation.parameters.map(
    (parameter) =>
      `<tr><td><code>${escapeHtml(parameter.name)}</code></td><td>${escapeHtml(parameter.in)}</td><td>${prose(parameter.description)}</td><td>${parameter.example === undefined ? '' : `<code>${escapeHtml(String(parameter.example))}</code>`}</td></tr>`,
  );
  return `<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Description</th><th>Example</th></tr>${rows.join('')}</table>`;
}

function renderRequestBody(operation: OperationObject): string {
  const media = operation.requestBody?.content['application/json'];
  if (media === undefined) return '';
  const examples = Object.entries(media.examples ?? {}).map(([name, example]) =>
    collapsible(`Example <code>${escapeHtml(name)}</code>: ${prose(example.summary)}`, json(example.value)),
  );
  return `<h4>Request body <small>application/json</small></h4>${renderSchema(media.schema)}${examples.join('')}`;
}

function renderResponses(document: OpenAPIDocument, operation: OperationObject): string {
  const rows = Object.entries(operation.responses).map(([status, reference]) => {
    const response = resolve<ResponseObject>(document, reference);
    const contents = Object.entries(response.content ?? {}).map(([type, media]) => {
      const example =
        media.example === undefined
          ? ''
          : collapsible('Example', typeof media.example === 'string' ? escapeHtml(media.example) : json(media.example));
      return `<div><small>${escapeHtml(type)}</small> ${renderSchema(media.schema)}${prose(media.schema?.description as string | undefined)}${example}</div>`;
    });
    return `<tr><td class="status s${escapeHtml(status.charAt(0))}">${escapeHtml(status)}</td><td>${prose(response.description)}${contents.join('')}</td></tr>`;
  });
  return `<h4>Responses</h4><table>${rows.join('')}</table>`;
}

function renderOperation(document: OpenAPIDocument, path: string, method: string, operation: OperationObject): string {
  return `<section id="${escapeHtml(operation.operationId)}">
<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code> ${prose(operation.summary)}</h3>
<p>${prose(operation.description)}</p>${renderAuth(operation)}${renderParameters(operation)}${renderRequestBody(operation)}${renderResponses(document, operation)}
</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem 1.5rem;color:#1f2328}
code,pre{font:13px ui-monospace,monospace}pre{background:#f6f8fa;padding:.75rem;overflow:auto;border-radius:6px}
section{border-top:1px solid #d0d7de;padding-top:.5rem;margin-top:1.5rem}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}summary{cursor:pointer}
.method{color:#fff;border-radius:4px;padding:0 .4rem;font-size:.8em}.get{background:#1f6feb}.post{background:#1a7f37}
.status{font-weight:bold;width:4rem}.s2{color:#1a7f37}.s4{color:#9a6700}.s5{color:#cf222e}.auth{color:#57606a}`;

/** The whole document as one HTML page: operations in the document's order, then every schema. */
export function renderDocsPage(document: OpenAPIDocument): string {
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation: operation as OperationObject })),
  );
  const documentPath = operations.find(({ operation }) => operation.operationId === 'getOpenAPIDocument')?.path;
  const toc = operations.map(
    ({ path, method, operation }) =>
      `<li><a href="#${escapeHtml(operation.operationId)}">${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</a> ${prose(operation.summary)}</li>`,
  );
  const schemas = Object.entries(document.components.schemas).map(([name, schema]) =>
    collapsible(`<code>${escapeHtml(name)}</code>`, json(schema), `schema-${name}`),
  );
  const title = `${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(document.info.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${title}</h1><p>${prose(document.info.description)}</p>
${documentPath === undefined ? '' : `<p>Machine-readable: <a href="${escapeHtml(documentPath)}">OpenAPI 3.1 document</a></p>`}
<p>${prose(String(document.components.securitySchemes.bearerAuth?.description ?? ''))}</p></header>
<nav><h2>Operations</h2><ul>${toc.join('')}</ul></nav>
<main>${operations.map(({ path, method, operation }) => renderOperation(document, path, method, operation)).join('\n')}
<section><h2>Schemas</h2>${schemas.join('\n')}</section></main></body></html>
`;
}
