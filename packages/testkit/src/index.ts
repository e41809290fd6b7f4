export { type OpenAISchemaName, validateOpenAIShape, assertOpenAIShape } from './openai-shape.js';
export { type ParsedOpenAISse, parseOpenAISse } from './sse.js';
