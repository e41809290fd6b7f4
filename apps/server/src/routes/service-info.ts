import type { Request, Response } from 'express';
import { DASHSCOPE_PATHS } from '@gw/core';
import { version } from '../version.js';

/** GET /: what this service is and how to call it, as the original product answered. */
export function serviceInfo({ dashscopeBaseUrl }: { dashscopeBaseUrl: string }) {
  const body = {
    message: 'DashScope to OpenAI API Gateway',
    version,
    description:
      'A public gateway that lets OpenAI clients call Alibaba Cloud Bailian DashScope models (farui-plus, the Qwen family). Send your own DashScope API key with every request; the gateway stores none.',
    dashscope_endpoint: `${dashscopeBaseUrl}${DASHSCOPE_PATHS.textGeneration}`,
    usage: {
      endpoint: '/v1/chat/completions',
      method: 'POST',
      auth: 'Authorization: Bearer <your DashScope API key>',
      model: 'farui-plus',
    },
    docs: '/docs',
    openapi: '/openapi.json',
  };
  return function serviceInfoHandler(_req: Request, res: Response): void {
    res.json(body);
  };
}
