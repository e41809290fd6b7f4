import type { GatewayWarning } from '@gw/core';

/** Says what the gateway dropped or converted in a request, on every answer to it (errors too). */
export const GATEWAY_WARNINGS_HEADER = 'x-gateway-warnings';

/**
 * The warnings' messages, without their final period, joined by "; ". A header value must stay printable
 * ASCII on one line, and a message quotes client-chosen values (a reasoning_effort, a tool index), so
 * anything else becomes "?", and a ";" inside a message "," so the list still splits.
 */
export function formatWarningsHeader(warnings: readonly GatewayWarning[]): string {
  return warnings
    .map((warning) =>
      warning.message
        .replace(/[^\x20-\x7e]/g, '?')
        .replaceAll(';', ',')
        .replace(/\.$/, ''),
    )
    .join('; ');
}
