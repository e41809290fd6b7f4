// Recipe 1 of README.md's "Inside your own Express gateway": the region below is copied there word for word
// (test/examples/readme-recipes.test.ts checks it).
// #region recipe
import express, { type NextFunction, type Request, type Response } from 'express';
import { createLogger, extractApiKey, gatewayState, mountOpenAIRouter, type CallReport, type Logger } from '@gw/express-middleware';

/** One of the company's own accounts: its token, and the DashScope key its AI calls are billed to. */
export interface CompanyAccount {
  user: string;
  dashscopeKey: string;
}

export interface MountRouterHostOptions {
  dashscopeBaseUrl: string;
  /** The company's tokens (a vault or a user database in real life). */
  accounts: ReadonlyMap<string, CompanyAccount>;
  logger?: Logger;
  /** One report per AI request, for usage metrics and billing. */
  onCallFinished?: (report: CallReport) => void;
}

/**
 * A company's existing Express gateway: its own JSON parser, its own token auth and routes under /api,
 * its own error page; the OpenAI API joins them under /ai/dashscope/v1. OpenAI clients send the same
 * company token (`Authorization: Bearer <token>` or Azure-style `api-key: <token>`) and never see a
 * DashScope key.
 */
export function createHostApp({ dashscopeBaseUrl, accounts, logger = createLogger(), onCallFinished }: MountRouterHostOptions) {
  const bodyLimit = '1mb';
  const app = express();
  app.use(express.json({ limit: bodyLimit }));

  app.use('/api', companyAuth(accounts));
  app.get('/api/me', (_req, res) => void res.json({ user: res.locals.user as string }));
  app.post('/api/notes', (req, res) => void res.status(201).json({ user: res.locals.user as string, note: req.body as unknown }));

  // Mounted with its error handler, so the JSON parser above answers malformed (400) and oversized (413)
  // bodies below the prefix OpenAI-shaped; the host's own routes keep the host's error page.
  mountOpenAIRouter(app, '/ai/dashscope/v1', {
    dashscopeBaseUrl,
    // For the bodies the host's parser skips (not application/json, e.g. curl -d): the router parses those.
    bodyLimit,
    logger,
    auth: extractApiKey({
      headers: ['authorization', 'api-key'],
      resolveApiKey: (token) => accounts.get(token)?.dashscopeKey,
    }),
    middlewares: [auditAiCalls(logger)],
    onCallFinished,
  });

  app.use(hostErrorPage());
  return app;
}

/** The company's own auth for its own routes: its token in its own header. */
function companyAuth(accounts: ReadonlyMap<string, CompanyAccount>) {
  return function companyAuthMiddleware(req: Request, res: Response, next: NextFunction): void {
    const account = accounts.get(req.get('x-company-token') ?? '');
    if (account === undefined) {
      res.status(401).json({ ok: false, message: 'Unknown company token.' });
      return;
    }
    res.locals.user = account.user;
    next();
  };
}

/** Runs between the router's auth and its endpoints: the credential's fingerprint is known, never the key. */
function auditAiCalls(logger: Logger) {
  return function auditAiCallsMiddleware(req: Request, res: Response, next: NextFunction): void {
    logger.info('Audit', { method: req.method, path: req.originalUrl, key_hash: gatewayState(res).keyHash });
    next();
  };
}

/** The host's error page, in the host's own shape, for everything outside the AI prefix. */
function hostErrorPage() {
  return function hostErrorPageMiddleware(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
    const status = error instanceof Error && 'status' in error && typeof error.status === 'number' ? error.status : 500;
    res.status(status).json({ ok: false, message: status < 500 ? 'Bad request.' : 'Host error.' });
  };
}
// #endregion recipe
