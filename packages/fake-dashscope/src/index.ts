export { DASHSCOPE_PATHS } from './dashscope-paths.js';
export type { FakeDashScope, FakeDashScopeOptions, FakeScript, RecordedRequest } from './fake-dashscope-types.js';
export { startFakeDashScope } from './start-fake-dashscope.js';
