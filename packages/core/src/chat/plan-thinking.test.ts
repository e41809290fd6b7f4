import { describe, it, expect } from '@jest/globals';
import { findCatalogueModel, MODEL_CATALOGUE, type CatalogueModel } from '../models/model-catalogue.js';
import { planThinking, type ThinkingPlan } from './plan-thinking.js';

/**
 * planThinking against the rule its comment documents (README "Reasoning"), for every catalogue model,
 * both stream settings and every `enable_thinking` the client may have sent:
 * - a stream is streamed, whatever the model;
 * - a stream-only model is always collected;
 * - a model that thinks only in a stream is collected when the client asked for thinking or the model
 *   always thinks; when it merely thinks by default and the client said nothing, the gateway sends
 *   `enable_thinking: false` instead; otherwise it is called as asked;
 * - a model that thinks in non-stream calls too is called as asked;
 * - an unknown model is collected only when the client asked for thinking.
 */
function documentedPlan(model: CatalogueModel | undefined, stream: boolean, enableThinking: boolean | undefined): ThinkingPlan {
  if (stream) return { mode: 'stream' };
  const askedForThinking = enableThinking === true;
  if (model === undefined) return askedForThinking ? { mode: 'collect' } : { mode: 'json' };
  const capabilities = model.capabilities;
  if (capabilities.streamOnly) return { mode: 'collect' };
  if (capabilities.thinkingNeedsStream) {
    if (askedForThinking || capabilities.thinking === 'always') return { mode: 'collect' };
    if (capabilities.thinking === 'default' && enableThinking === undefined) return { mode: 'json', enableThinking: false };
  }
  return { mode: 'json' };
}

const streamSettings = [true, false] as const;
const thinkingSettings = [undefined, true, false] as const;

const cases = MODEL_CATALOGUE.flatMap((model) =>
  streamSettings.flatMap((stream) => thinkingSettings.map((enableThinking) => ({ id: model.id, stream, enableThinking }))),
);

describe('planThinking for every catalogue model', () => {
  it('covers the whole catalogue', () => {
    expect(MODEL_CATALOGUE.length).toBeGreaterThan(20);
    expect(cases).toHaveLength(MODEL_CATALOGUE.length * 6);
  });

  it.each(cases)('$id, stream: $stream, enableThinking: $enableThinking', ({ id, stream, enableThinking }) => {
    const model = findCatalogueModel(id);
    expect(model?.id).toBe(id);
    const plan = planThinking({ model, stream, enableThinking });
    expect(plan).toEqual(documentedPlan(model, stream, enableThinking));
    // The gateway only ever turns thinking off, and only for a plain non-stream call.
    if (plan.enableThinking !== undefined) {
      expect(plan).toEqual({ mode: 'json', enableThinking: false });
      expect(enableThinking).toBeUndefined();
    }
    // Never a non-stream call that DashScope would answer with "enable_thinking must be set to false".
    if (plan.mode === 'json' && model?.capabilities.thinkingNeedsStream === true) {
      const thinks =
        model.capabilities.thinking === 'always' ||
        (plan.enableThinking ?? enableThinking) === true ||
        (model.capabilities.thinking === 'default' && (plan.enableThinking ?? enableThinking) === undefined);
      expect(thinks).toBe(false);
    }
  });
});

describe('planThinking for named models (the rule spelled out)', () => {
  it.each([
    // model, enableThinking, non-stream plan
    ['qwen-max', undefined, { mode: 'json' }],
    ['qwen-max', true, { mode: 'json' }],
    ['qwen-plus', undefined, { mode: 'json' }],
    ['qwen-plus', true, { mode: 'collect' }],
    ['qwen-plus', false, { mode: 'json' }],
    ['qwen3-235b-a22b', undefined, { mode: 'json', enableThinking: false }],
    ['qwen3-235b-a22b', true, { mode: 'collect' }],
    ['qwen3-235b-a22b', false, { mode: 'json' }],
    ['qwen3.6-plus', undefined, { mode: 'json', enableThinking: false }],
    ['qwen3.6-plus', true, { mode: 'collect' }],
    ['qwen3.6-plus', false, { mode: 'json' }],
    ['qwq-plus', undefined, { mode: 'collect' }],
    ['qwq-plus', false, { mode: 'collect' }],
    ['qvq-max', undefined, { mode: 'collect' }],
    ['qwen-omni-turbo', false, { mode: 'collect' }],
    ['qwen3-omni-flash', false, { mode: 'collect' }],
    ['deepseek-r1', undefined, { mode: 'json' }],
    ['deepseek-v4-pro', undefined, { mode: 'json' }],
    ['deepseek-v4-pro', true, { mode: 'json' }],
    ['qwen3-vl-plus', true, { mode: 'collect' }],
    ['qwen3-vl-plus', undefined, { mode: 'json' }],
    ['text-embedding-v4', undefined, { mode: 'json' }],
  ] as const)('%s, enableThinking: %s → %j', (id, enableThinking, expected) => {
    const model = findCatalogueModel(id);
    expect(model).toBeDefined();
    expect(planThinking({ model, stream: false, enableThinking })).toEqual(expected);
    expect(planThinking({ model, stream: true, enableThinking })).toEqual({ mode: 'stream' });
  });
});

describe('planThinking for models the catalogue does not know', () => {
  it.each([
    [false, undefined, { mode: 'json' }],
    [false, true, { mode: 'collect' }],
    [false, false, { mode: 'json' }],
    [true, undefined, { mode: 'stream' }],
    [true, true, { mode: 'stream' }],
    [true, false, { mode: 'stream' }],
  ] as const)('stream: %s, enableThinking: %s → %j', (stream, enableThinking, expected) => {
    expect(findCatalogueModel('qwen-future-9000')).toBeUndefined();
    expect(planThinking({ model: undefined, stream, enableThinking })).toEqual(expected);
  });
});
