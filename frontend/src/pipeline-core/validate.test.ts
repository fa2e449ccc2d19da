import { describe, expect, it } from 'vitest';
import { lookupOf, samplePipeline } from './fixtures';
import { setArgument, updateNode } from './ops';
import type { PipelineDocument, Problem } from './types';
import { problemsByNode, validateDocument } from './validate';

const lookup = lookupOf();
const codes = (problems: Problem[]): string[] => problems.map((p) => p.code);

describe('validateDocument', () => {
  it('accepts a valid pipeline', () => {
    expect(validateDocument(samplePipeline(), lookup)).toEqual([]);
  });

  it('rejects a newer schema_version', () => {
    const doc = samplePipeline();
    doc.graph.schema_version = 2;
    const problems = validateDocument(doc, lookup);
    expect(codes(problems)).toEqual(['invalid_document']);
    expect(problems[0]!.message).toMatch(/schema_version 2/);
  });

  it('reports duplicate node ids', () => {
    const doc = samplePipeline();
    doc.graph.nodes.push({ ...doc.graph.nodes[0]!, position: { x: 5, y: 5 } });
    expect(validateDocument(doc, lookup)).toContainEqual(expect.objectContaining({ code: 'duplicate_node', node: 'load' }));
  });

  it('reports an unknown component version', () => {
    const doc = updateNode(samplePipeline(), 'load', (n) => ({ ...n, component_version: 999 }));
    const problems = validateDocument(doc, lookup);
    expect(problems).toContainEqual(expect.objectContaining({ code: 'unknown_component_version', node: 'load' }));
  });

  it('reports an argument for an input the component does not have', () => {
    const doc = setArgument(samplePipeline(), 'load', 'nope', { value: 1 });
    expect(validateDocument(doc, lookup)).toEqual([
      expect.objectContaining({ code: 'unknown_port', node: 'load', port: 'nope' }),
    ]);
  });

  it('reports a connection from an output the upstream does not produce', () => {
    const doc = setArgument(samplePipeline(), 'evaluate', 'model', { from: { node: 'train', output: 'weights' } });
    expect(validateDocument(doc, lookup)).toEqual([
      expect.objectContaining({ code: 'unknown_port', node: 'evaluate', port: 'model' }),
    ]);
  });

  it('reports a connection from a missing node', () => {
    const doc = setArgument(samplePipeline(), 'evaluate', 'model', { from: { node: 'ghost', output: 'model' } });
    expect(validateDocument(doc, lookup)).toEqual([
      expect.objectContaining({ code: 'unknown_node', node: 'evaluate', port: 'model' }),
    ]);
  });

  it('reports incompatible types and names node and port', () => {
    const doc = setArgument(samplePipeline(), 'evaluate', 'model', { from: { node: 'split', output: 'train' } });
    const problems = validateDocument(doc, lookup);
    expect(problems).toEqual([expect.objectContaining({ code: 'incompatible_types', node: 'evaluate', port: 'model' })]);
    expect(problems[0]!.message).toMatch(/expects Model/);
  });

  it('lets File and untyped inputs accept anything, and untyped outputs feed anything', () => {
    const doc: PipelineDocument = samplePipeline();
    doc.graph.nodes.push(
      {
        id: 'print',
        component_version: 5,
        position: { x: 0, y: 300 },
        arguments: { file: { from: { node: 'train', output: 'model' } }, whatever: { from: { node: 'load', output: 'table' } } },
      },
      {
        id: 'print2',
        component_version: 5,
        position: { x: 300, y: 300 },
        arguments: { file: { from: { node: 'print', output: 'out' } } },
      },
    );
    doc.graph.nodes[3]!.arguments.model = { from: { node: 'print2', output: 'out' } };
    // print → print2 → evaluate: untyped output into a Model input is allowed.
    expect(validateDocument(doc, lookup)).toEqual([]);
  });

  it('reports required inputs left unbound', () => {
    const doc = setArgument(samplePipeline(), 'split', 'data', undefined);
    expect(validateDocument(doc, lookup)).toEqual([
      expect.objectContaining({ code: 'unbound_input', node: 'split', port: 'data' }),
    ]);
  });

  it('does not ask for inputs with a default or marked optional', () => {
    const doc = setArgument(samplePipeline(), 'split', 'test_fraction', undefined);
    expect(validateDocument(doc, lookup)).toEqual([]);
  });

  it('reports an unknown pipeline parameter', () => {
    const doc = { ...samplePipeline(), parameters: [] };
    expect(validateDocument(doc, lookup)).toEqual([
      expect.objectContaining({ code: 'unknown_parameter', node: 'train', port: 'n_estimators' }),
    ]);
  });

  it('reports a parameter whose type does not fit the input', () => {
    const doc = { ...samplePipeline(), parameters: [{ name: 'trees', type: 'String', default: 'x' }] };
    expect(validateDocument(doc, lookup)).toEqual([
      expect.objectContaining({ code: 'parameter_type', node: 'train', port: 'n_estimators' }),
    ]);
  });

  it('reports a parameter default that does not match its type', () => {
    const doc = { ...samplePipeline(), parameters: [{ name: 'trees', type: 'Integer', default: 'many' }] };
    expect(validateDocument(doc, lookup)).toEqual([
      expect.objectContaining({ code: 'parameter_type', field: 'parameters[0].default' }),
    ]);
  });

  it('reports duplicate and badly named parameters', () => {
    const doc = {
      ...samplePipeline(),
      parameters: [
        { name: 'trees', type: 'Integer', default: 1 },
        { name: 'trees', type: 'Integer', default: 2 },
        { name: 'has space', type: 'String', default: '' },
      ],
    };
    expect(validateDocument(doc, lookup).map((p) => [p.code, p.field])).toEqual([
      ['invalid_document', 'parameters[2].name'],
      ['unknown_parameter', 'parameters[1].name'],
    ]);
  });

  it('reports constants that do not fit the input type', () => {
    let doc = setArgument(samplePipeline(), 'split', 'seed', { value: 'abc' });
    doc = setArgument(doc, 'split', 'stratify', { value: 'maybe' });
    doc = setArgument(doc, 'train', 'options', { value: '{not json' });
    const problems = validateDocument(doc, lookup);
    expect(problems.map((p) => [p.code, p.port])).toEqual([
      ['invalid_value', 'seed'],
      ['invalid_value', 'stratify'],
      ['invalid_value', 'options'],
    ]);
  });

  it('accepts constants as text where the server does', () => {
    let doc = setArgument(samplePipeline(), 'split', 'seed', { value: '7' });
    doc = setArgument(doc, 'split', 'stratify', { value: 'False' });
    doc = setArgument(doc, 'split', 'test_fraction', { value: '0.3' });
    expect(validateDocument(doc, lookup)).toEqual([]);
  });

  it('reports a binding that is not exactly one kind', () => {
    const doc = setArgument(samplePipeline(), 'load', 'name', { value: 'x', parameter: 'trees' } as never);
    expect(validateDocument(doc, lookup)).toEqual([
      expect.objectContaining({ code: 'invalid_document', node: 'load', port: 'name' }),
    ]);
  });

  it('reports bad resources, retries and timeout', () => {
    const doc = updateNode(samplePipeline(), 'train', (n) => ({
      ...n,
      resources: { cpu: -1, memory: 'lots', gpu: 0.5 },
      retries: -1,
      timeout_seconds: 0,
    }));
    const problems = validateDocument(doc, lookup);
    expect(problems.map((p) => p.field)).toEqual([
      'nodes[2].resources.cpu',
      'nodes[2].resources.memory',
      'nodes[2].resources.gpu',
      'nodes[2].retries',
      'nodes[2].timeout_seconds',
    ]);
    expect(new Set(codes(problems))).toEqual(new Set(['invalid_document']));
    expect(problems.every((p) => p.node === 'train')).toBe(true);
  });

  it('accepts millicores and binary memory units', () => {
    const doc = updateNode(samplePipeline(), 'train', (n) => ({ ...n, resources: { cpu: '500m', memory: '512Mi', gpu: 1 } }));
    expect(validateDocument(doc, lookup)).toEqual([]);
  });

  it('reports components that cannot run', () => {
    const doc = samplePipeline();
    doc.graph.nodes.push({ id: 'imp', component_version: 6, position: { x: 0, y: 0 }, arguments: {} });
    expect(validateDocument(doc, lookup)).toEqual([expect.objectContaining({ code: 'not_runnable', node: 'imp' })]);
  });

  it('reports a cycle and names every node on it', () => {
    // split.data ← evaluate? evaluate has no Dataset output, so use print (untyped out).
    const doc = samplePipeline();
    doc.graph.nodes.push({
      id: 'print',
      component_version: 5,
      position: { x: 0, y: 0 },
      arguments: { file: { from: { node: 'train', output: 'model' } } },
    });
    doc.graph.nodes[1]!.arguments.data = { from: { node: 'print', output: 'out' } };
    const problems = validateDocument(doc, lookup);
    expect(problems).toHaveLength(1);
    const cycle = problems[0]!;
    expect(cycle.code).toBe('cycle');
    expect(cycle.node).toBe('split');
    expect(cycle.port).toBe('data');
    expect(cycle.nodes).toEqual(['split', 'train', 'print']);
    expect(cycle.message).toBe(
      'Cycle: split → train → print → split. A node cannot depend on its own output; remove one of these connections.',
    );
    const byNode = problemsByNode(problems);
    expect([...byNode.keys()].sort()).toEqual(['print', 'split', 'train']);
  });

  it('handles a 500-node pipeline quickly', () => {
    const doc = samplePipeline();
    doc.graph.nodes = [];
    for (let i = 0; i < 500; i++) {
      doc.graph.nodes.push({
        id: `n${i}`,
        component_version: i ? 5 : 1,
        position: { x: i * 10, y: 0 },
        arguments: i > 0 ? { file: { from: { node: `n${i - 1}`, output: i === 1 ? 'table' : 'out' } } } : {},
      });
    }
    const start = performance.now();
    expect(validateDocument(doc, lookup)).toEqual([]);
    expect(performance.now() - start).toBeLessThan(200);
  });
});

describe('validateDocument: server parity', () => {
  it('refuses constants and parameters for artifact inputs', () => {
    let doc = setArgument(samplePipeline(), 'split', 'data', { value: 'iris.csv' });
    doc = setArgument(doc, 'evaluate', 'model', { parameter: 'trees' });
    expect(validateDocument(doc, lookup).map((p) => [p.code, p.node, p.port])).toEqual([
      ['invalid_value', 'split', 'data'],
      ['parameter_type', 'evaluate', 'model'],
    ]);
  });

  it('lets an Integer parameter feed a Float input, not the reverse', () => {
    let doc: PipelineDocument = {
      ...samplePipeline(),
      parameters: [
        { name: 'trees', type: 'Integer', default: 100 },
        { name: 'f', type: 'Float', default: 0.5 },
      ],
    };
    doc = setArgument(doc, 'split', 'test_fraction', { parameter: 'trees' });
    expect(validateDocument(doc, lookup)).toEqual([]);
    doc = setArgument(doc, 'split', 'seed', { parameter: 'f' });
    expect(codes(validateDocument(doc, lookup))).toEqual(['parameter_type']);
  });

  it('refuses artifact-typed pipeline parameters and null constants', () => {
    let doc: PipelineDocument = { ...samplePipeline(), parameters: [...samplePipeline().parameters, { name: 'ds', type: 'Dataset', default: null }] };
    doc = setArgument(doc, 'load', 'name', { value: null });
    expect(validateDocument(doc, lookup).map((p) => [p.code, p.field ?? p.port])).toEqual([
      ['parameter_type', 'parameters[1].type'],
      ['invalid_value', 'name'],
    ]);
  });

  it('refuses bad node ids, unknown fields and more than 500 nodes', () => {
    const doc = samplePipeline();
    (doc.graph.nodes[0] as unknown as Record<string, unknown>).colour = 'red';
    doc.graph.nodes.push({ id: '-bad id', component_version: 1, position: { x: 0, y: 0 }, arguments: {} });
    expect(validateDocument(doc, lookup).map((p) => p.field)).toEqual(['nodes[0].colour', 'nodes[4].id']);
    doc.graph.nodes = Array.from({ length: 501 }, (_, i) => ({ id: `n${i}`, component_version: 1, position: { x: 0, y: 0 }, arguments: {} }));
    expect(validateDocument(doc, lookup)).toEqual([expect.objectContaining({ code: 'invalid_document', field: 'nodes' })]);
  });

  it('still reports references of a node whose component is unknown', () => {
    const doc = updateNode(samplePipeline(), 'train', (n) => ({ ...n, component_version: 999 }));
    const noParams = { ...doc, parameters: [] };
    expect(validateDocument(noParams, lookup).map((p) => p.code)).toEqual(['unknown_component_version', 'unknown_parameter']);
  });
});

describe('validateDocument: datasets', () => {
  const IRIS = { id: 7, name: 'iris', kind: 'dataset', latest_version: 3 };
  const MODEL = { id: 8, name: 'iris-model', kind: 'model', latest_version: 1 };
  const EMPTY = { id: 9, name: 'empty', kind: 'dataset', latest_version: 0 };
  const DATASETS = [IRIS, MODEL, EMPTY];
  /** The sample pipeline with the split reading a dataset instead of the load step. */
  const reading = (binding: unknown): PipelineDocument => setArgument(samplePipeline(), 'split', 'data', binding as never);

  it('accepts a dataset input bound to the latest or a pinned version', () => {
    expect(validateDocument(reading({ dataset: { id: 7, version: 'latest' } }), lookup, DATASETS)).toEqual([]);
    expect(validateDocument(reading({ dataset: { id: 7, version: 2 } }), lookup, DATASETS)).toEqual([]);
    // "version" may be left out: it means latest.
    expect(validateDocument(reading({ dataset: { id: 7 } }), lookup, DATASETS)).toEqual([]);
  });

  it('reports a dataset that does not exist, or a version it does not have', () => {
    expect(validateDocument(reading({ dataset: { id: 99, version: 'latest' } }), lookup, DATASETS)).toEqual([
      {
        code: 'unknown_dataset',
        message: 'Node "split": input "data" reads dataset 99, which does not exist.',
        node: 'split',
        port: 'data',
      },
    ]);
    expect(validateDocument(reading({ dataset: { id: 7, version: 4 } }), lookup, DATASETS)[0]!.message).toBe(
      'Node "split": input "data" reads version 4 of dataset "iris", but its latest is version 3.',
    );
    expect(validateDocument(reading({ dataset: { id: 9, version: 1 } }), lookup, DATASETS)).toEqual([
      expect.objectContaining({ code: 'unknown_dataset_version', message: expect.stringContaining('it has no versions yet') }),
    ]);
  });

  it('skips existence checks when no dataset list is given, as the server does', () => {
    expect(validateDocument(reading({ dataset: { id: 99, version: 5 } }), lookup)).toEqual([]);
  });

  it('matches the dataset kind to the input type; File and untyped inputs take either', () => {
    expect(validateDocument(reading({ dataset: { id: 8, version: 'latest' } }), lookup, DATASETS)).toEqual([
      expect.objectContaining({
        code: 'incompatible_types',
        node: 'split',
        port: 'data',
        message: 'Node "split": input "data" expects Dataset, but dataset "iris-model" holds models.',
      }),
    ]);
    const doc = samplePipeline();
    doc.graph.nodes.push({
      id: 'print',
      component_version: 5,
      position: { x: 0, y: 0 },
      arguments: { file: { dataset: { id: 8, version: 1 } }, whatever: { dataset: { id: 7, version: 'latest' } } },
    });
    expect(validateDocument(doc, lookup, DATASETS)).toEqual([]);
  });

  it('refuses a dataset for a value input', () => {
    const doc = setArgument(samplePipeline(), 'split', 'seed', { dataset: { id: 7, version: 'latest' } });
    expect(validateDocument(doc, lookup, DATASETS)).toEqual([
      expect.objectContaining({ code: 'incompatible_types', port: 'seed', message: expect.stringContaining('takes a Integer value') }),
    ]);
  });

  it('reports malformed dataset bindings with their path', () => {
    const problems = (b: unknown): Array<[string, string | null | undefined]> =>
      validateDocument(reading(b), lookup, DATASETS).map((p) => [p.code, p.field]);
    expect(problems({ dataset: { id: 7, version: 0 } })).toEqual([['invalid_document', 'nodes[1].arguments.data.dataset.version']]);
    expect(problems({ dataset: { id: 'iris' } })).toEqual([['invalid_document', 'nodes[1].arguments.data.dataset.id']]);
    expect(problems({ dataset: { id: 7, pin: 1 } })).toEqual([['invalid_document', 'nodes[1].arguments.data.dataset']]);
  });
});

describe('validateDocument: publishing outputs', () => {
  const MODEL = { id: 8, name: 'iris-model', kind: 'model', latest_version: 1 };
  const withPublish = (publish: unknown): PipelineDocument =>
    updateNode(samplePipeline(), 'train', (n) => ({ ...n, publish: publish as never }));

  it('accepts publishing a file output, new or existing dataset', () => {
    const doc = withPublish([
      { output: 'model', dataset: 'iris-model', kind: 'model' },
      { output: 'metrics', dataset: 'brand new' },
    ]);
    expect(validateDocument(doc, lookup, [MODEL])).toEqual([]);
  });

  it('reports an output the component does not have, naming the field', () => {
    expect(validateDocument(withPublish([{ output: 'weights', dataset: 'w' }]), lookup, [])).toEqual([
      expect.objectContaining({ code: 'unknown_port', node: 'train', port: 'weights', field: 'nodes[2].publish[0].output' }),
    ]);
  });

  it('refuses a value output', () => {
    const VALUE_OUT = { id: 40, name: 'Count', inputs: [], outputs: [{ name: 'n', type: 'Integer' }] };
    const doc: PipelineDocument = {
      graph: { schema_version: 1, nodes: [{ id: 'c', component_version: 40, position: { x: 0, y: 0 }, arguments: {}, publish: [{ output: 'n', dataset: 'x' }] }] },
      parameters: [],
    };
    expect(validateDocument(doc, lookupOf([VALUE_OUT]), [])).toEqual([
      expect.objectContaining({ code: 'incompatible_types', port: 'n', message: expect.stringContaining('is a Integer value, not a file') }),
    ]);
  });

  it('reports a kind that differs from the existing dataset (names compare ignoring case)', () => {
    const problems = validateDocument(withPublish([{ output: 'model', dataset: 'IRIS-MODEL', kind: 'dataset' }]), lookup, [MODEL]);
    expect(problems).toEqual([
      {
        code: 'dataset_kind',
        message: 'Node "train": output "model" is published as a dataset, but dataset "iris-model" holds models.',
        node: 'train',
        port: 'model',
        field: 'nodes[2].publish[0].kind',
      },
    ]);
  });

  it('reports malformed declarations and duplicates as document problems', () => {
    const doc = withPublish([
      { output: 'model', dataset: 'a/b' },
      { output: 'model', dataset: 'm', kind: 'blob' },
      { output: 'model', dataset: 'Same' },
      { output: 'model', dataset: 'same ' },
      'model',
    ]);
    expect(validateDocument(doc, lookup, []).map((p) => [p.code, p.field])).toEqual([
      ['invalid_document', 'nodes[2].publish[0].dataset'],
      ['invalid_document', 'nodes[2].publish[1].kind'],
      ['invalid_document', 'nodes[2].publish[3]'],
      ['invalid_document', 'nodes[2].publish[4]'],
    ]);
    expect(validateDocument(withPublish({ output: 'model' }), lookup, [])).toEqual([
      expect.objectContaining({ code: 'invalid_document', field: 'nodes[2].publish' }),
    ]);
  });
});
