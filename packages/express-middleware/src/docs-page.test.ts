import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { buildOpenAPIDocument, type OpenAPIDocument } from '@gw/core';
import { DOCS_PAGE_CSP, docsPage, renderDocsPage } from './docs-page.js';

const document = buildOpenAPIDocument({ version: '1.2.3' });
const page = renderDocsPage(document);

describe('docsPage', () => {
  it('answers HTML that nothing can run in', async () => {
    const app = express().get('/docs', docsPage({ version: '1.2.3' }));
    const response = await request(app).get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(DOCS_PAGE_CSP).toBe(response.headers['content-security-policy']);
    expect(response.text).toBe(page);
  });

  it('has no script and loads nothing from elsewhere', () => {
    expect(page).not.toMatch(/<script|<link|<img|<iframe|src=|https?:\/\/[^\s"<]*\.(js|css)/i);
  });

  it('shows every operation: method, path, summary, auth, and its link target', () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect(page).toContain(`<span class="method ${method}">${method.toUpperCase()}</span> <code>${path}</code>`);
        expect(page).toContain(`id="${operation.operationId}"`);
        expect(page).toContain(`href="#${operation.operationId}"`);
      }
    }
    expect(page).toContain('Auth: none');
    expect(page).toContain('Auth: <code>Authorization: Bearer &lt;your DashScope API key&gt;</code>');
  });

  it('shows request schemas, every request example and every response status', () => {
    expect(page).toContain('<a href="#schema-CreateChatCompletionRequest"><code>CreateChatCompletionRequest</code></a>');
    expect(page).toContain('id="schema-CreateChatCompletionRequest"');
    for (const name of ['plain', 'stream', 'tools', 'vision']) expect(page).toContain(`Example <code>${name}</code>`);
    for (const status of ['200', '400', '401', '404', '408', '413', '429', '500', '502', '503', '504']) {
      expect(page).toContain(`>${status}</td>`);
    }
    expect(page).toContain('data: [DONE]');
    expect(page).toContain('<a href="/openapi.json">');
  });

  it('escapes every string of the document', () => {
    const hostile = '<script>alert("x")</script> & \'quotes\'';
    const poisoned = structuredClone(document) as OpenAPIDocument;
    const chat = poisoned.paths['/v1/chat/completions']?.post;
    if (chat === undefined) throw new Error('no chat operation');
    chat.description = hostile;
    chat.summary = hostile;
    poisoned.info.title = hostile;
    const media = chat.requestBody?.content['application/json'];
    if (media?.examples !== undefined) media.examples[hostile] = { summary: hostile, value: { model: hostile } };
    const html = renderDocsPage(poisoned);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;');
    expect(html).toContain('&quot;model&quot;: &quot;&lt;script&gt;alert(\\&quot;x\\&quot;)');
  });

  it('keeps Markdown code spans as code, after escaping', () => {
    const doc = structuredClone(document) as OpenAPIDocument;
    const health = doc.paths['/health']?.get;
    if (health === undefined) throw new Error('no health operation');
    health.description = 'Send `<b>` here';
    expect(renderDocsPage(doc)).toContain('Send <code>&lt;b&gt;</code> here');
  });
});
