import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from './create-request-handler.js';
import { catalogueModelIds } from './endpoints.js';
import type { FakeDashScope, FakeDashScopeOptions, FakeScript, RecordedRequest } from './fake-dashscope-types.js';

// Real keys start with "sk-" (protocol §2); "sk-invalid" gives tests an easy well-formed bad key.
function isPlausibleKey(key: string): boolean {
  return key.startsWith('sk-') && key !== 'sk-invalid';
}

/** Starts a protocol-exact fake of DashScope's native HTTP API on a real socket. */
export async function startFakeDashScope(options: FakeDashScopeOptions = {}): Promise<FakeDashScope> {
  const {
    host = '127.0.0.1',
    port = 0,
    isValidKey = isPlausibleKey,
    models = catalogueModelIds('text-generation'),
    multimodalModels = catalogueModelIds('multimodal-generation'),
    embeddingModels = catalogueModelIds('text-embedding'),
    eventDelayMs = 0,
    splitBytes = 0,
    gzip = false,
    reply,
    behave,
  } = options;
  assertNonNegativeInteger('eventDelayMs', eventDelayMs);
  assertNonNegativeInteger('splitBytes', splitBytes);

  const requests: RecordedRequest[] = [];
  const scripts: FakeScript[] = [];
  let openResponses = 0;
  const server = createServer(
    createRequestHandler({
      catalog: {
        'text-generation': new Set(models),
        'multimodal-generation': new Set(multimodalModels),
        'text-embedding': new Set(embeddingModels),
      },
      isValidKey,
      reply,
      eventDelayMs,
      splitBytes,
      gzip,
      requests,
      takeScript: (request) => scripts.shift() ?? behave?.(request),
      trackResponse: (change) => {
        openResponses += change;
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    requests,
    get openResponses() {
      return openResponses;
    },
    enqueue(...added) {
      scripts.push(...added);
    },
    reset() {
      // In place: callers may hold on to `requests`.
      requests.length = 0;
      scripts.length = 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging, streaming and keep-alive connections would otherwise keep close() waiting.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function assertNonNegativeInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`startFakeDashScope: ${name} must be a non-negative integer, got ${value}`);
  }
}
