import type { Request, Response } from 'express';

/** GET /health: liveness, in the original product's shape. */
export function health({ now = Date.now }: { now?: () => number } = {}) {
  return function healthHandler(_req: Request, res: Response): void {
    res.json({ status: 'healthy', timestamp: Math.floor(now() / 1000), service: 'DashScope to OpenAI API Gateway' });
  };
}
