import type { HeaderObject } from './openapi-types.js';

/** `components.headers`: what the gateway adds to its answers (see the README's "Errors" section). */
export function responseHeaderComponents(): Record<string, HeaderObject> {
  return {
    XRequestId: {
      description: 'Yours when you sent a sane `X-Request-Id` (up to 128 of letters, digits and `._:@/+=-`), else a new UUID.',
      schema: { type: 'string' },
    },
    XDashScopeRequestId: { description: "DashScope's own request id, on answers that came from DashScope.", schema: { type: 'string' } },
    XGatewayWarnings: {
      description: "What the gateway dropped or converted: `Parameter '<name>' was dropped: <why>` messages joined by `; `.",
      schema: { type: 'string' },
    },
    RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'string' } },
  };
}
