// The paths live in @gw/core; re-exported because tests and demos have always imported them from here.
export { DASHSCOPE_PATHS } from '@gw/core';
export type { FakeDashScope, FakeDashScopeOptions, FakeScript, RecordedRequest } from './fake-dashscope-types.js';
export { startFakeDashScope } from './start-fake-dashscope.js';
