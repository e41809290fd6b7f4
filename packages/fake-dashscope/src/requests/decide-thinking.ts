import type { ModelCapabilities } from '@gw/core';
import { invalidParameter } from '../wire-format.js';
import { assertRange, readBoolean, readInteger } from './parameter-readers.js';

// Whether the model reasons before answering, from its catalogue capability and `enable_thinking`,
// and the refusals DashScope answers when a request asks for what the model cannot do.

// Messages from DashScope's error-code pages (DOC-ERR 2025/2026, protocol §3.2).
export const THINKING_NEEDS_STREAM = 'parameter.enable_thinking must be set to false for non-streaming calls';
export const THINKING_NEEDS_INCREMENTAL = 'The incremental_output parameter must be "true" when enable_thinking is true';
export const ALWAYS_THINKS = 'The value of the enable_thinking parameter is restricted to True.';

export interface Thinking {
  enabled: boolean;
  /** `thinking_budget`: the most reasoning tokens. */
  budget: number | undefined;
}

export function decideThinking({
  parameters,
  capabilities,
  streaming,
  incrementalOutput,
}: {
  parameters: Readonly<Record<string, unknown>>;
  capabilities: ModelCapabilities;
  streaming: boolean;
  incrementalOutput: boolean;
}): Thinking {
  const asked = readBoolean(parameters, 'enable_thinking');
  const budget = readInteger(parameters, 'thinking_budget');
  assertRange({ name: 'thinking_budget', value: budget, inRange: (value) => value >= 1, range: '[1, inf)' });
  if (capabilities.thinking === 'always' && asked === false) throw invalidParameter(ALWAYS_THINKS);
  // A model that cannot think ignores enable_thinking rather than failing: nothing to switch on.
  const enabled =
    capabilities.thinking === 'always' ||
    (capabilities.thinking === 'optional' && asked === true) ||
    (capabilities.thinking === 'default' && asked !== false);
  if (enabled && !streaming && capabilities.thinkingNeedsStream) throw invalidParameter(THINKING_NEEDS_STREAM);
  if (enabled && streaming && !incrementalOutput) throw invalidParameter(THINKING_NEEDS_INCREMENTAL);
  return { enabled, budget };
}
