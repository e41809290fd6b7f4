import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { outcomeOf, post, postJson, postStream, type Json } from './__fixtures__/fake-client.js';
import { DASHSCOPE_PATHS, startFakeDashScope, type FakeDashScope } from './index.js';
import { catalogueModelIds } from './endpoints.js';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

// Not in the catalogue: a model with no catalogued capabilities takes every kind of media.
const ANY_MEDIA_MODEL = 'test-any-media';

function omni(content: unknown[], model = ANY_MEDIA_MODEL): Json {
  return { model, input: { messages: [{ role: 'user', content }] } };
}

describe('fake DashScope multimodal media', () => {
  let fake: FakeDashScope;
  beforeAll(async () => {
    fake = await startFakeDashScope({ multimodalModels: [...catalogueModelIds('multimodal-generation'), ANY_MEDIA_MODEL] });
  });
  afterAll(() => fake.close());

  it.each([
    ['audio to a vision model', 'qwen-vl-max', { audio: 'https://example.com/a.mp3' }, 'audio'],
    ['an image to an audio model', 'qwen-audio-turbo', { image: PNG }, 'image'],
    ['a video to an audio model', 'qwen-audio-turbo', { video: 'https://example.com/a.mp4' }, 'video'],
  ])('refuses %s, as the catalogue says it takes none', async (_name, model, item, kind) => {
    const outcome = await outcomeOf(await post(fake, DASHSCOPE_PATHS.multimodalGeneration, omni([item, { text: '?' }], model)));
    expect(outcome).toEqual({ status: 400, code: 'InvalidParameter', message: `The model ${model} does not support ${kind} input.` });
  });

  it('counts images, audio and videos (URLs or frame lists) at fixed costs', async () => {
    const { status, json } = await postJson(
      fake,
      DASHSCOPE_PATHS.multimodalGeneration,
      omni([
        { image: 'https://example.com/a.jpg' },
        { image: PNG },
        { audio: 'https://example.com/a.mp3' },
        { video: ['https://example.com/1.jpg', PNG] },
        { video: 'data:video/mp4;base64,AAAA' },
        { text: 'ab' },
      ]),
    );
    expect(status).toBe(200);
    expect(json.usage).toEqual({
      output_tokens: expect.any(Number),
      input_tokens: 1 + 2 * 256 + 128 + 2 * 1024,
      image_tokens: 512,
      video_tokens: 2048,
      audio_tokens: 128,
    });
    const events = await postStream(fake, DASHSCOPE_PATHS.multimodalGeneration, {
      ...omni([{ audio: 'https://example.com/a.wav' }, { text: 'x' }]),
      parameters: { incremental_output: true },
    });
    expect(events[0]!.raw).toMatch(/"usage":\{"input_tokens":129,"output_tokens":1,"audio_tokens":128\}/);
  });

  it('refuses media it could not download: other schemes, or data URLs of another kind', async () => {
    for (const item of [
      { image: 'file:///tmp/a.png' },
      { image: 'oss://bucket/a.png' },
      { image: 'data:text/plain;base64,aGk=' },
      { image: 'not a url' },
      { audio: 'data:image/png;base64,AAAA' },
      { video: ['https://example.com/1.jpg', 'ftp://example.com/2.jpg'] },
    ]) {
      expect({ item, ...(await outcomeOf(await post(fake, DASHSCOPE_PATHS.multimodalGeneration, omni([item, { text: 'x' }])))) }).toEqual({
        item,
        status: 400,
        code: 'InvalidParameter',
        message: 'The provided URL does not appear to be valid. Ensure it is correctly formatted.',
      });
    }
    expect(await outcomeOf(await post(fake, DASHSCOPE_PATHS.multimodalGeneration, omni([{ video: [] }])))).toMatchObject({
      status: 400,
      message: 'The item of content should be a message of a certain modal.',
    });
  });
});
