// The paths live in @gw/core; re-exported because tests and demos have always imported them from here.
export { DASHSCOPE_PATHS } from '@gw/core';
export type {
  ChunkSource,
  FakeDashScope,
  FakeDashScopeOptions,
  FakeScript,
  RecordedRequest,
  StreamScript,
} from './fake-dashscope-types.js';
export {
  commentsOnly,
  eventFlood,
  eventsWithoutBlankLines,
  largeErrorAnswer,
  largeJsonAnswer,
  neverEndingLine,
  oversizedEvent,
  silentThenEvents,
  slowDrip,
} from './misbehaving-upstream.js';
export { startFakeDashScope } from './start-fake-dashscope.js';
