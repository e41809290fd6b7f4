import type { Request, Response } from 'express';
import type { GatewayEndpoint, LocalEndpoint } from '@gw/core';
import { gatewayState, markFirstByte } from './gateway-state.js';

/** Serves an endpoint the gateway answers itself (the model list), with no upstream call. */
export function answerLocalEndpoint({ endpoint }: { endpoint: GatewayEndpoint }) {
  if (endpoint?.kind !== 'local') throw new TypeError('answerLocalEndpoint: endpoint must be a local entry of the endpoint table');
  const localEndpoint: LocalEndpoint = endpoint;
  return function answerLocalEndpointMiddleware(req: Request, res: Response): void {
    gatewayState(res).endpoint = localEndpoint.id;
    const body = localEndpoint.answer(req.params as Record<string, string>);
    markFirstByte(res);
    res.json(body);
  };
}
