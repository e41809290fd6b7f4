import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { GatewayError } from '../errors/gateway-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import { MODEL_CATALOGUE, findCatalogueModel, listModels, retrieveModel } from './model-catalogue.js';

const modelIds = MODEL_CATALOGUE.map((model) => model.id);

describe('listModels', () => {
  it('lists the whole catalogue: farui-plus first, then the chat, vision and embedding models', () => {
    const list = listModels();
    expect(list.object).toBe('list');
    expect(list.data.map((model) => model.id)).toEqual(modelIds);
    expect(modelIds[0]).toBe('farui-plus');
    const kinds = MODEL_CATALOGUE.map((model) => model.endpoint);
    // Grouped: every text model before the first vision model, every vision model before the first embedding model.
    expect(kinds.lastIndexOf('text-generation')).toBeLessThan(kinds.indexOf('multimodal-generation'));
    expect(kinds.lastIndexOf('multimodal-generation')).toBeLessThan(kinds.indexOf('text-embedding'));
    expect(modelIds).toEqual(expect.arrayContaining(['qwen-plus', 'qwen3-max', 'qwen3-vl-plus', 'qwen3.6-plus', 'text-embedding-v4']));
    assertOpenAIShape('ListModelsResponse', list);
    for (const model of list.data) {
      expect(model).toEqual({ id: model.id, object: 'model', created: expect.any(Number), owned_by: 'alibaba-cloud' });
      expect(Number.isInteger(model.created)).toBe(true);
      assertOpenAIShape('Model', model);
    }
  });

  it('returns copies that callers cannot use to change the catalogue', () => {
    const list = listModels();
    list.data.pop();
    const first = list.data[0];
    if (first !== undefined) first.id = 'changed';
    expect(listModels().data.map((model) => model.id)).toEqual(modelIds);
  });
});

describe('retrieveModel', () => {
  it.each(['farui-plus', 'qwen-plus', 'qwen-max', 'qwen-turbo', 'qvq-max', 'text-embedding-v4'])('returns %s as listed', (id) => {
    const model = retrieveModel(id);
    expect(model).toEqual(listModels().data.find((candidate) => candidate.id === id));
    assertOpenAIShape('Model', model);
  });

  it.each(['gpt-4o', 'QWEN-MAX', 'qwen-max ', '', 'text-embedding-v9', 'constructor'])('answers %j with a 404 model_not_found', (id) => {
    let thrown: unknown;
    try {
      retrieveModel(id);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect(thrown).toMatchObject({ status: 404, type: 'invalid_request_error', code: 'model_not_found', param: 'model' });
    expect((thrown as GatewayError).message).toContain(`'${id}'`);
    const { status, body } = toOpenAIError(thrown);
    expect(status).toBe(404);
    assertOpenAIShape('ErrorResponse', body);
  });

  it('returns a copy', () => {
    const model = retrieveModel('qwen-max');
    model.owned_by = 'someone-else';
    expect(retrieveModel('qwen-max').owned_by).toBe('alibaba-cloud');
  });
});

describe('findCatalogueModel', () => {
  it('names the native endpoint of each model, and nothing for unknown ones', () => {
    expect(findCatalogueModel('farui-plus')?.endpoint).toBe('text-generation');
    expect(findCatalogueModel('qwen-vl-plus')?.endpoint).toBe('multimodal-generation');
    expect(findCatalogueModel('text-embedding-v3')?.endpoint).toBe('text-embedding');
    expect(findCatalogueModel('gpt-4o')).toBeUndefined();
    expect(findCatalogueModel('toString')).toBeUndefined();
  });

  it('has unique ids', () => {
    expect(new Set(MODEL_CATALOGUE.map((model) => model.id)).size).toBe(MODEL_CATALOGUE.length);
  });
});
