import type { Request, Response } from 'express';

/**
 * GET /health: liveness, in the original product's shape. While the server drains for a restart it
 * answers 503 `draining`, so a balancer's health check stops sending it new work.
 */
export function health({ now = Date.now, drain }: { now?: () => number; drain?: { readonly draining: boolean } } = {}) {
  return function healthHandler(_req: Request, res: Response): void {
    if (drain?.draining === true) {
      res.status(503).json({ status: 'draining', timestamp: Math.floor(now() / 1000), service: 'DashScope to OpenAI API Gateway' });
      return;
    }
    res.json({ status: 'healthy', timestamp: Math.floor(now() / 1000), service: 'DashScope to OpenAI API Gateway' });
  };
}
