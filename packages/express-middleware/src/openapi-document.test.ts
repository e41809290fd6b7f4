import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { OPENAI_ENDPOINTS } from '@gw/core';
import { openAPIDocument } from './openapi-document.js';

describe('openAPIDocument', () => {
  it('answers the document as JSON, built from the endpoint table', async () => {
    const app = express().get('/openapi.json', openAPIDocument({ version: '9.9.9', serverUrl: 'https://gw.example' }));
    const response = await request(app).get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toMatchObject({ openapi: '3.1.0', info: { version: '9.9.9' }, servers: [{ url: 'https://gw.example' }] });
    for (const endpoint of OPENAI_ENDPOINTS) {
      const path = `/v1${endpoint.path.replace(/:(\w+)/g, '{$1}')}`;
      expect(response.body.paths[path]?.[endpoint.method.toLowerCase()]).toBeDefined();
    }
  });

  it('builds once: every request gets the same bytes', async () => {
    const app = express().get('/openapi.json', openAPIDocument({ version: '1.0.0' }));
    const [first, second] = await Promise.all([request(app).get('/openapi.json'), request(app).get('/openapi.json')]);
    expect(first.text).toBe(second.text);
    expect(first.headers.etag).toBe(second.headers.etag);
  });

  it('builds when made, so a table it cannot document fails at start rather than on a request', () => {
    const local = { kind: 'local', method: 'GET', answer: () => ({}) } as const;
    // Two undocumented ids that name their fallback response schema alike.
    const endpoints = [
      { ...local, id: 'audio.voices', path: '/audio/voices' },
      { ...local, id: 'audio_voices', path: '/audio-voices' },
    ];
    expect(() => openAPIDocument({ version: '1.0.0', endpoints })).toThrow(/two schemas named AudioVoicesResponse/);
  });
});
