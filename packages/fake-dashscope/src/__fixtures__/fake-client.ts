import { expect } from '@jest/globals';
import type { FakeDashScope } from '../index.js';

// What the fake's tests share: posting to it, and reading its SSE frames strictly.

export const KEY = 'sk-test';

export type Json = Record<string, unknown>;

export interface SseEvent {
  id: number;
  event: string;
  status: number;
  /** The data line exactly as sent, to compare key order byte for byte. */
  raw: string;
  data: Json;
}

// The whole body must be a sequence of exactly these frames (protocol §5.1), nothing before,
// between or after them.
const FRAME = /id:(\d+)\nevent:(result|error)\n:HTTP_STATUS\/(\d+)\ndata:([^\n]*)\n\n/y;

export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  FRAME.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = FRAME.exec(text)) !== null) {
    const [, id = '', event = '', status = '', raw = ''] = match;
    events.push({ id: Number(id), event, status: Number(status), raw, data: JSON.parse(raw) as Json });
    if (FRAME.lastIndex === text.length) break;
  }
  expect(FRAME.lastIndex).toBe(text.length);
  return events;
}

export function post(
  fake: FakeDashScope,
  path: string,
  body: unknown,
  { stream = false, key = KEY, headers = {} }: { stream?: boolean; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(stream ? { accept: 'text/event-stream' } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A streamed answer's events (the request must stream). */
export async function postStream(fake: FakeDashScope, path: string, body: unknown): Promise<SseEvent[]> {
  const response = await post(fake, path, body, { stream: true });
  expect(response.headers.get('content-type')).toBe('text/event-stream;charset=UTF-8');
  return parseSse(await response.text());
}

/** A non-stream answer's status and JSON. */
export async function postJson(fake: FakeDashScope, path: string, body: unknown): Promise<{ status: number; json: Json }> {
  const response = await post(fake, path, body);
  return { status: response.status, json: (await response.json()) as Json };
}

export function chat(content: string, parameters: Json = {}, model = 'qwen-plus'): Json {
  return { model, input: { messages: [{ role: 'user', content }] }, parameters };
}

/** The choices of an answer or event in message format. */
export function choicesOf(data: Json): Json[] {
  return (data.output as { choices: Json[] }).choices;
}

/** The message of the first choice. */
export function messageOf(data: Json): Json {
  return choicesOf(data)[0]!.message as Json;
}

/** The text an event carries, whatever the result format or endpoint. */
export function textOf(data: Json): string {
  const output = data.output as Json;
  if (typeof output.text === 'string') return output.text;
  const choices = output.choices as Array<{ message: { content: string | Array<{ text: string }> } }>;
  const content = choices[0]?.message.content ?? '';
  return typeof content === 'string' ? content : content.map((item) => item.text).join('');
}

export function finishOf(data: Json): unknown {
  const output = data.output as Json;
  if ('finish_reason' in output) return output.finish_reason;
  return (output.choices as Array<{ finish_reason: unknown }>)[0]?.finish_reason;
}

/**
 * How a request was refused, or `{status: 200}`: from the JSON error, or from the one `event:error`
 * of a stream (DashScope answers a refused stream with 200 and that event).
 */
export async function outcomeOf(response: Response): Promise<{ status: number; code?: unknown; message?: unknown }> {
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    const events = parseSse(await response.text());
    const error = events.find((event) => event.event === 'error');
    return error === undefined ? { status: 200 } : { status: error.status, code: error.data.code, message: error.data.message };
  }
  const json = (await response.json()) as Json;
  return response.status === 200 ? { status: 200 } : { status: response.status, code: json.code, message: json.message };
}
