// Component specs shaped like the built-in library, for tests and demos.
import type { ComponentLookup, ComponentSpec, PipelineDocument } from './types';

export const LOAD: ComponentSpec = {
  id: 1,
  name: 'Load built-in dataset',
  category: 'data-ingest',
  inputs: [{ name: 'name', type: 'String', default: 'iris' }],
  outputs: [{ name: 'table', type: 'Dataset' }],
};
export const SPLIT: ComponentSpec = {
  id: 2,
  name: 'Train/test split',
  category: 'data-processing',
  inputs: [
    { name: 'data', type: 'Dataset' },
    { name: 'test_fraction', type: 'Float', default: '0.2' },
    { name: 'seed', type: 'Integer', default: '42' },
    { name: 'stratify', type: 'Boolean', default: 'true' },
  ],
  outputs: [
    { name: 'train', type: 'Dataset' },
    { name: 'test', type: 'Dataset' },
  ],
};
export const TRAIN: ComponentSpec = {
  id: 3,
  name: 'Train classifier',
  category: 'training',
  inputs: [
    { name: 'training_data', type: 'Dataset' },
    { name: 'n_estimators', type: 'Integer', default: '100' },
    { name: 'options', type: 'JSON', optional: true },
  ],
  outputs: [
    { name: 'model', type: 'Model' },
    { name: 'metrics', type: 'Metrics' },
  ],
};
export const EVALUATE: ComponentSpec = {
  id: 4,
  name: 'Evaluate classifier',
  category: 'evaluation',
  inputs: [
    { name: 'model', type: 'Model' },
    { name: 'test_data', type: 'Dataset' },
  ],
  outputs: [
    { name: 'metrics', type: 'Metrics' },
    { name: 'confusion_matrix', type: 'ConfusionMatrix' },
  ],
};
export const ANY: ComponentSpec = {
  id: 5,
  name: 'Print file',
  category: 'other',
  inputs: [
    { name: 'file', type: 'File' },
    { name: 'whatever', type: null, optional: true },
  ],
  outputs: [{ name: 'out', type: null }],
};
export const BROKEN: ComponentSpec = {
  id: 6,
  name: 'Imported thing',
  category: 'other',
  inputs: [],
  outputs: [{ name: 'out', type: 'Model' }],
  runnable: false,
};

export const SPECS = [LOAD, SPLIT, TRAIN, EVALUATE, ANY, BROKEN];

export function lookupOf(specs: ComponentSpec[] = SPECS): ComponentLookup {
  const map = new Map(specs.map((s) => [s.id, s]));
  return (id) => map.get(id);
}

/** load → split → train → evaluate, all valid. */
export function samplePipeline(): PipelineDocument {
  return {
    graph: {
      schema_version: 1,
      nodes: [
        { id: 'load', component_version: 1, position: { x: 0, y: 0 }, arguments: { name: { value: 'iris' } } },
        {
          id: 'split',
          component_version: 2,
          label: 'Split',
          position: { x: 300, y: 0 },
          arguments: { data: { from: { node: 'load', output: 'table' } }, test_fraction: { value: 0.25 } },
        },
        {
          id: 'train',
          component_version: 3,
          position: { x: 600, y: -80 },
          arguments: {
            training_data: { from: { node: 'split', output: 'train' } },
            n_estimators: { parameter: 'trees' },
          },
          resources: { cpu: 1, memory: '1Gi' },
          retries: 1,
          timeout_seconds: 3600,
        },
        {
          id: 'evaluate',
          component_version: 4,
          position: { x: 900, y: 0 },
          arguments: {
            model: { from: { node: 'train', output: 'model' } },
            test_data: { from: { node: 'split', output: 'test' } },
          },
        },
      ],
    },
    parameters: [{ name: 'trees', type: 'Integer', default: 100 }],
  };
}
