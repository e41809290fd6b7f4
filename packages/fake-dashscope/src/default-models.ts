// Models the fake knows unless told otherwise; the lists decide which path accepts which model,
// like DashScope's own routing (a text model on the multimodal path fails, and vice versa).
export const DEFAULT_TEXT_MODELS: readonly string[] = [
  'farui-plus',
  'qwen-plus',
  'qwen-max',
  'qwen-turbo',
  'qwen-flash',
  'qwen-long',
  'qwen3-max',
  'qwen-plus-latest',
];

export const DEFAULT_MULTIMODAL_MODELS: readonly string[] = ['qwen-vl-plus', 'qwen-vl-max', 'qwen3-vl-plus'];

export const DEFAULT_EMBEDDING_MODELS: readonly string[] = [
  'text-embedding-v1',
  'text-embedding-v2',
  'text-embedding-v3',
  'text-embedding-v4',
];
