import type { ParameterTable } from '../parameters/parameter-table.js';
import type { EmbeddingRequest } from './embedding-request-schema.js';

/**
 * Every embeddings parameter, one row each. `dimensions` is the endpoint's: whether it is sent depends on
 * the model (embedding-dimension-for-model.ts); `encoding_format` is applied to DashScope's answer,
 * which is always floats.
 */
export const embeddingParameterTable: ParameterTable<EmbeddingRequest> = {
  model: { action: 'endpoint' },
  input: { action: 'endpoint' },
  dimensions: { action: 'endpoint' },
  encoding_format: { action: 'endpoint' },
  user: { action: 'drop', reason: 'DashScope has no equivalent.' },
  text_type: { action: 'move', to: 'parameters.text_type' },
  instruct: { action: 'move', to: 'parameters.instruct' },
};
