import type { CatalogueModel } from '../models/model-catalogue-entries.js';

export interface ThinkingPlan {
  /**
   * How the call runs upstream: `json` (a plain non-stream call), `stream` (the client streams), or
   * `collect` (the client asked for one JSON answer, but DashScope can only give this one in a stream,
   * so the gateway streams it and collects the stream into a `chat.completion`).
   */
  mode: 'json' | 'stream' | 'collect';
  /** An `enable_thinking` the gateway sets, when the client's request needs one it did not send. */
  enableThinking?: false;
}

/**
 * The one rule for non-stream calls to models that think (README "Reasoning"):
 * - a stream-only model (QwQ, QVQ, Omni) is always collected;
 * - a model that can only think in a stream (the Qwen3 family) is collected when the client asked for
 *   thinking (`enable_thinking: true`, or a `reasoning_effort` other than "none") or the model always
 *   thinks; when it merely thinks by default, the gateway sends `enable_thinking: false` instead, which is
 *   cheaper and what the client meant by asking for no stream;
 * - a model that thinks in non-stream calls too (deepseek) is called as asked;
 * - a model the catalogue does not know is collected only when the client asked for thinking; otherwise
 *   it is called as asked, and DashScope decides.
 * So a client never meets DashScope's "enable_thinking must be set to false for non-streaming calls".
 */
export function planThinking({
  model,
  stream,
  enableThinking,
}: {
  model: CatalogueModel | undefined;
  stream: boolean;
  /** The client's `enable_thinking`, after `reasoning_effort` was folded in; undefined when unset. */
  enableThinking: boolean | undefined;
}): ThinkingPlan {
  if (stream) return { mode: 'stream' };
  if (model === undefined) return { mode: enableThinking === true ? 'collect' : 'json' };
  const { thinking, thinkingNeedsStream, streamOnly } = model.capabilities;
  if (streamOnly) return { mode: 'collect' };
  if (!thinkingNeedsStream) return { mode: 'json' };
  if (thinking === 'always' || enableThinking === true) return { mode: 'collect' };
  if (thinking === 'default' && enableThinking === undefined) return { mode: 'json', enableThinking: false };
  return { mode: 'json' };
}
