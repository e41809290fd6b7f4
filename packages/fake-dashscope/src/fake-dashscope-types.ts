import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** URL path including the query string, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw string when the body was not JSON. */
  body: unknown;
}

export type FakeScript =
  /**
   * The next matching request gets this DashScope error. `as`:
   * - 'json' (default): HTTP <status> + JSON `{"code","message","request_id"}`;
   * - 'sse-event': HTTP 200 text/event-stream carrying one `event:error` with `:HTTP_STATUS/<status>`
   *   (the shape recorded in parameter-error-sse);
   * - 'sse-body': HTTP <status> with content-type text/event-stream and that same error event as body.
   */
  | {
      type: 'error';
      status: number;
      code: string;
      message: string;
      headers?: Record<string, string>;
      as?: 'json' | 'sse-event' | 'sse-body';
    }
  /**
   * Streaming: `events` normal result events, then an `event:error` with `:HTTP_STATUS/<status>`, then close.
   * A non-streaming request gets the error as JSON with that status.
   */
  | { type: 'fail-after'; events: number; status: number; code: string; message: string }
  /** Exactly these bytes (splitBytes / eventDelayMs / gzip still apply when writing). */
  | { type: 'raw'; status: number; headers: Record<string, string>; body: string | Uint8Array }
  /** Accept the request and never answer (until close()). */
  | { type: 'hang' }
  /** Destroy the socket before any header (afterEvents 0/undefined) or after that many SSE events. */
  | { type: 'drop'; afterEvents?: number }
  /**
   * Overrides the generated answer of the next request (request validation still applies):
   * - `text`: the answer text (the reasoning of a thinking request still comes first; with n > 1,
   *   choice i > 0 gets " (i+1)" appended); with `toolCalls`, content sent before the calls ("" for none);
   * - `toolCalls`: makes exactly these calls, whatever `tools` and `tool_choice` say, with ids derived
   *   from the request id (`arguments` is sent as given, so it may be any text);
   * - `finishReason`: the finish reason of the last event, and of the non-stream choice (which
   *   otherwise says "stop" after tool calls, as recorded).
   */
  | {
      type: 'reply';
      text: string;
      finishReason?: 'stop' | 'length' | 'tool_calls';
      toolCalls?: Array<{ name: string; arguments: string }>;
    }
  /**
   * A misbehaving upstream: the status line and headers go out at once, then every chunk `chunks`
   * yields, each written as soon as it is produced and only after the previous one reached the socket
   * (an upstream that stops reading holds the source back). The source gets a signal that aborts when
   * the connection closes, and is not pulled again after that. When it finishes, the response ends;
   * when it throws, the socket is destroyed (a connection lost mid-body). `splitBytes` applies;
   * `eventDelayMs` does not (the source sets its own pace). Ready-made sources: misbehaving-upstream.ts.
   */
  | StreamScript;

export interface StreamScript {
  type: 'stream';
  /** Default 200. */
  status?: number;
  /** Added to (and overriding) DashScope's SSE headers: content-type text/event-stream, x-request-id. */
  headers?: Record<string, string>;
  /** Gzip this body with a flush after each chunk; default: the fake's `gzip` option. */
  gzip?: boolean;
  chunks: ChunkSource;
}

/** The body of a `stream` script, produced lazily: an infinite generator costs nothing until read. */
export type ChunkSource = (signal: AbortSignal) => Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

export interface FakeDashScopeOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default: the key starts with "sk-" and is not "sk-invalid". */
  isValidKey?: (key: string) => boolean;
  /**
   * Models served on the text-generation path. Default: those of @gw/core's MODEL_CATALOGUE. Whatever
   * the endpoint, a catalogue model follows its catalogue facts (tools, thinking, stream-only, output
   * limit parameter, embedding limits); any other model takes neutral ones: tools, thinking only when
   * asked and only in streams, both output limits honoured, v3-like embedding limits.
   */
  models?: readonly string[];
  /** Models served on the multimodal-generation path. Default: those of @gw/core's MODEL_CATALOGUE. */
  multimodalModels?: readonly string[];
  /** Models served on the text-embedding path. Default: those of @gw/core's MODEL_CATALOGUE. */
  embeddingModels?: readonly string[];
  /** Delay between SSE events, in milliseconds (default 0). */
  eventDelayMs?: number;
  /** When > 0, every response body is written in pieces of at most this many bytes, one write each. */
  splitBytes?: number;
  /** Gzip every response body (content-encoding: gzip) whatever Accept-Encoding says. */
  gzip?: boolean;
  /**
   * The generated answer text; the default echoes the last user message (or the tool results that end
   * the conversation), or, in JSON mode, a JSON object echoing it. Not consulted for answers that
   * call tools.
   */
  reply?: (request: RecordedRequest) => string;
  /**
   * Picks a script from the request itself when the queue is empty (consulted after auth, like the
   * queue); undefined answers normally. Lets concurrent requests each get their own behaviour, e.g.
   * by a marker in the user message.
   */
  behave?: (request: RecordedRequest) => FakeScript | undefined;
}

export interface FakeDashScope {
  /** Base URL, e.g. http://127.0.0.1:40123; the native paths are under /api/v1/... */
  readonly url: string;
  /** Every request received, in order (failed ones too). */
  readonly requests: RecordedRequest[];
  /**
   * Responses still open: being written, hanging, or waiting for a slow reader. A response leaves
   * this count once it ended or its connection closed, so 0 after a client left means the gateway
   * closed its upstream request too.
   */
  readonly openResponses: number;
  /** FIFO; each script is consumed by the next generation/embedding request that passed auth. */
  enqueue(...scripts: FakeScript[]): void;
  /** Clears the recorded requests and the queued scripts. */
  reset(): void;
  /** Stops the server and destroys open sockets (hanging and streaming requests too). */
  close(): Promise<void>;
}
