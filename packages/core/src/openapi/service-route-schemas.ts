import { z } from 'zod';

/** The standalone server's own answers (apps/server/src/routes), for its OpenAPI document. */

// Strict, so the drift test of the real answers (openapi.e2e) catches a field the document lacks.
export const healthSchema = z.strictObject({
  status: z.literal('healthy'),
  timestamp: z.int().min(0).meta({ description: 'Unix seconds.' }),
  service: z.literal('DashScope to OpenAI API Gateway'),
});

export const serviceInfoSchema = z.strictObject({
  message: z.string(),
  version: z.string(),
  description: z.string(),
  dashscope_endpoint: z.string().meta({ description: 'The DashScope text-generation URL the gateway calls.' }),
  usage: z.strictObject({ endpoint: z.string(), method: z.string(), auth: z.string(), model: z.string() }),
  docs: z.string().meta({ description: 'The readable API page.' }),
  openapi: z.string().meta({ description: 'This document.' }),
});
