import type { Request, Response } from 'express';
import { listModels, retrieveModel } from '@gw/core';

/** GET /models: the advertised catalogue (no upstream call; DashScope has no native model list). */
export function listModelsHandler() {
  return function listModelsMiddleware(_req: Request, res: Response): void {
    res.json(listModels());
  };
}

/** GET /models/:model */
export function retrieveModelHandler() {
  return function retrieveModelMiddleware(req: Request<{ model: string }>, res: Response): void {
    res.json(retrieveModel(req.params.model));
  };
}
