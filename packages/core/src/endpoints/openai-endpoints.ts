import { chatCompletionsEndpoint } from '../chat/chat-completions-endpoint.js';
import { completionsEndpoint } from '../completions/completions-endpoint.js';
import { embeddingsEndpoint } from '../embeddings/embeddings-endpoint.js';
import { listModelsEndpoint, retrieveModelEndpoint } from '../models/models-endpoints.js';
import type { GatewayEndpoint } from './gateway-endpoint.js';

/**
 * Every OpenAI endpoint the gateway serves, one entry each. The router loops over this table: adding
 * an endpoint means adding an entry here.
 */
export const OPENAI_ENDPOINTS: readonly GatewayEndpoint[] = [
  listModelsEndpoint,
  retrieveModelEndpoint,
  chatCompletionsEndpoint,
  completionsEndpoint,
  embeddingsEndpoint,
];
