import { describe, expect, it } from 'vitest';
import { documentToFlow, flowToDocument, portOfHandle } from './convert';
import { lookupOf, samplePipeline } from './fixtures';
import { documentsEqual, DocumentError, parseDocument, serializeDocument, stableStringify } from './serialize';

const lookup = lookupOf();

describe('serialization', () => {
  it('round-trips the DESIGN.md document through JSON unchanged', () => {
    const doc = samplePipeline();
    const text = JSON.stringify(serializeDocument(doc));
    const back = parseDocument(JSON.parse(text).graph, JSON.parse(text).parameters);
    expect(serializeDocument(back)).toEqual(serializeDocument(doc));
    expect(documentsEqual(back, doc)).toBe(true);
  });

  it('writes exactly the graph format of DESIGN.md', () => {
    const doc = samplePipeline();
    doc.graph.nodes[0]!.resources = {};
    doc.graph.nodes[0]!.label = '';
    doc.graph.nodes[0]!.position = { x: 10.123456, y: -3 };
    const out = serializeDocument(doc);
    expect(out.graph.schema_version).toBe(1);
    expect(out.graph.nodes[0]).toEqual({
      id: 'load',
      component_version: 1,
      position: { x: 10.12, y: -3 },
      arguments: { name: { value: 'iris' } },
    });
    expect(Object.keys(out.graph.nodes[2]!)).toEqual([
      'id', 'component_version', 'position', 'arguments', 'resources', 'retries', 'timeout_seconds',
    ]);
    expect(out.parameters).toEqual([{ name: 'trees', type: 'Integer', default: 100 }]);
  });

  it('fills defaults for missing optional fields and refuses newer schemas', () => {
    const doc = parseDocument({ nodes: [{ id: 'a', component_version: 1 }] });
    expect(doc.graph).toEqual({ schema_version: 1, nodes: [{ id: 'a', component_version: 1, position: { x: 0, y: 0 }, arguments: {} }] });
    expect(() => parseDocument({ schema_version: 9, nodes: [] })).toThrow(DocumentError);
  });

  it('compares documents regardless of key order', () => {
    expect(stableStringify({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    const a = samplePipeline();
    const b = samplePipeline();
    b.graph.nodes[1]!.arguments = { test_fraction: { value: 0.25 }, data: { from: { node: 'load', output: 'table' } } };
    expect(documentsEqual(a, b)).toBe(true);
    b.graph.nodes[1]!.position = { x: 1, y: 1 };
    expect(documentsEqual(a, b)).toBe(false);
  });
});

describe('document ⇄ React Flow', () => {
  it('derives one edge per from-binding with typed handles', () => {
    const { nodes, edges } = documentToFlow(samplePipeline(), lookup);
    expect(nodes.map((n) => n.id)).toEqual(['load', 'split', 'train', 'evaluate']);
    expect(nodes[1]).toMatchObject({ type: 'component', position: { x: 300, y: 0 }, data: { spec: { name: 'Train/test split' } } });
    expect(edges).toContainEqual({
      id: 'split.train->train.training_data',
      source: 'split',
      target: 'train',
      sourceHandle: 'out:train',
      targetHandle: 'in:training_data',
      data: { type: 'Dataset' },
    });
    expect(edges).toHaveLength(4);
  });

  it('leaves out edges that cannot be drawn', () => {
    const doc = samplePipeline();
    doc.graph.nodes[3]!.arguments.model = { from: { node: 'ghost', output: 'model' } };
    doc.graph.nodes[2]!.arguments.training_data = { from: { node: 'split', output: 'nope' } };
    expect(documentToFlow(doc, lookup).edges.map((e) => e.id)).toEqual(['load.table->split.data', 'split.test->evaluate.test_data']);
  });

  it('round-trips document → flow → document', () => {
    const doc = samplePipeline();
    const { nodes, edges } = documentToFlow(doc, lookup);
    const back = flowToDocument(nodes, edges, doc.parameters);
    expect(back).toEqual(doc);
    expect(documentsEqual(back, doc)).toBe(true);
  });

  it('takes positions and edges from the flow side', () => {
    const doc = samplePipeline();
    const { nodes, edges } = documentToFlow(doc, lookup);
    nodes[0]!.position = { x: 42, y: 7 };
    const back = flowToDocument(nodes, edges.filter((e) => e.target !== 'split'), doc.parameters);
    expect(back.graph.nodes[0]!.position).toEqual({ x: 42, y: 7 });
    expect(back.graph.nodes[1]!.arguments.data).toBeUndefined();
  });

  it('parses handle ids', () => {
    expect(portOfHandle('in:data', 'in')).toBe('data');
    expect(portOfHandle('out:data', 'in')).toBeNull();
    expect(portOfHandle(null, 'out')).toBeNull();
  });
});

describe('serialization: datasets', () => {
  it('keeps dataset bindings and publish declarations', () => {
    const doc = samplePipeline();
    doc.graph.nodes[1]!.arguments.data = { dataset: { id: 7, version: 'latest' } };
    doc.graph.nodes[2]!.publish = [{ output: 'model', dataset: 'iris-model', kind: 'model' }, { output: 'metrics', dataset: 'scores' }];
    const out = serializeDocument(doc);
    expect(out.graph.nodes[1]!.arguments.data).toEqual({ dataset: { id: 7, version: 'latest' } });
    expect(out.graph.nodes[2]!.publish).toEqual([
      { output: 'model', dataset: 'iris-model', kind: 'model' },
      { output: 'metrics', dataset: 'scores' },
    ]);
    expect(Object.keys(out.graph.nodes[2]!).at(-1)).toBe('publish');
    const back = parseDocument(JSON.parse(JSON.stringify(out.graph)), out.parameters);
    expect(documentsEqual(back, doc)).toBe(true);
    // An empty list is left out.
    doc.graph.nodes[2]!.publish = [];
    expect(serializeDocument(doc).graph.nodes[2]!.publish).toBeUndefined();
  });
});
