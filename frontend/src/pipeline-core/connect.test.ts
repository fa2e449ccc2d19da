import { describe, expect, it } from 'vitest';
import { checkConnection, connectableOutputs } from './connect';
import { lookupOf, samplePipeline } from './fixtures';
import { addNode, connect, setArgument } from './ops';
import { ANY, EVALUATE, TRAIN } from './fixtures';
import { isCompatible } from './portTypes';

const lookup = lookupOf();

describe('connection rules', () => {
  it('follows the type rules of the server', () => {
    expect(isCompatible('Dataset', 'Dataset')).toBe(true);
    expect(isCompatible('Dataset', 'Model')).toBe(false);
    expect(isCompatible('Model', 'File')).toBe(true);
    expect(isCompatible('Model', null)).toBe(true);
    expect(isCompatible(null, 'Model')).toBe(true);
    expect(isCompatible('int', 'Integer')).toBe(true);
    expect(isCompatible('Integer', 'Float')).toBe(false);
  });

  it('allows a compatible connection into a free input', () => {
    let doc = setArgument(samplePipeline(), 'evaluate', 'test_data', undefined);
    expect(checkConnection(doc, lookup, { source: 'split', output: 'test', target: 'evaluate', input: 'test_data' })).toEqual({ ok: true });
    doc = connect(doc, { source: 'split', output: 'test', target: 'evaluate', input: 'test_data' });
    expect(doc.graph.nodes[3]!.arguments.test_data).toEqual({ from: { node: 'split', output: 'test' } });
  });

  it('refuses incompatible types with a reason', () => {
    const { doc } = addNode(samplePipeline(), EVALUATE, { x: 0, y: 0 });
    const check = checkConnection(doc, lookup, { source: 'split', output: 'train', target: 'evaluate-classifier', input: 'model' });
    expect(check).toEqual({
      ok: false,
      code: 'incompatible_types',
      reason: "Type mismatch: output 'train' is Dataset, input 'model' expects Model.",
    });
  });

  it('lets a File input take any output', () => {
    const { doc, id } = addNode(samplePipeline(), ANY, { x: 0, y: 0 });
    expect(checkConnection(doc, lookup, { source: 'train', output: 'model', target: id, input: 'file' }).ok).toBe(true);
  });

  it('refuses a second connection into one input', () => {
    const check = checkConnection(samplePipeline(), lookup, { source: 'load', output: 'table', target: 'evaluate', input: 'test_data' });
    expect(check).toMatchObject({ ok: false, code: 'already_bound' });
  });

  it('allows connecting an input that holds a constant (the connection replaces it)', () => {
    const { doc, id } = addNode(samplePipeline(), TRAIN, { x: 0, y: 0 });
    const withValue = setArgument(doc, id, 'training_data', { value: 'x' });
    expect(checkConnection(withValue, lookup, { source: 'load', output: 'table', target: id, input: 'training_data' }).ok).toBe(true);
  });

  it('refuses a connection that closes a cycle, naming the path', () => {
    const { doc, id } = addNode(samplePipeline(), ANY, { x: 0, y: 0 });
    const withPrint = connect(doc, { source: 'train', output: 'model', target: id, input: 'file' });
    const free = setArgument(withPrint, 'split', 'data', undefined);
    const check = checkConnection(free, lookup, { source: id, output: 'out', target: 'split', input: 'data' });
    expect(check).toEqual({ ok: false, code: 'cycle', reason: 'That would create a cycle: split → train → print-file → split.' });
  });

  it('refuses self connections and unknown ports', () => {
    const { doc, id } = addNode(samplePipeline(), ANY, { x: 0, y: 0 });
    expect(checkConnection(doc, lookup, { source: id, output: 'out', target: id, input: 'whatever' })).toMatchObject({ code: 'self' });
    expect(checkConnection(doc, lookup, { source: 'load', output: 'nope', target: id, input: 'file' })).toMatchObject({ code: 'unknown_port' });
    expect(checkConnection(doc, lookup, { source: 'load', output: 'table', target: id, input: 'nope' })).toMatchObject({ code: 'unknown_port' });
    expect(checkConnection(doc, lookup, { source: 'ghost', output: 'table', target: id, input: 'file' })).toMatchObject({ code: 'unknown_node' });
  });

  it('offers only the outputs a connection check accepts: types fit and no cycle', () => {
    // A free Evaluate input `model` (Model): only train.model fits; split's Datasets and evaluate's own outputs do not.
    const doc = setArgument(samplePipeline(), 'evaluate', 'model', undefined);
    expect(connectableOutputs(doc, lookup, 'evaluate', 'model').map((o) => `${o.source}.${o.output}`)).toEqual(['train.model']);
    // split.data (Dataset): load.table fits; train and evaluate are downstream of split, so they would close a cycle.
    const free = setArgument(samplePipeline(), 'split', 'data', undefined);
    const { doc: withPrint, id } = addNode(free, ANY, { x: 0, y: 0 });
    const wired = connect(withPrint, { source: 'train', output: 'model', target: id, input: 'file' });
    const offered = connectableOutputs(wired, lookup, 'split', 'data');
    expect(offered).toEqual([{ source: 'load', output: 'table', nodeName: 'Load built-in dataset', type: 'Dataset' }]);
  });

  it('offers nothing for an input that already has a connection', () => {
    expect(connectableOutputs(samplePipeline(), lookup, 'evaluate', 'test_data')).toEqual([]);
  });
});
