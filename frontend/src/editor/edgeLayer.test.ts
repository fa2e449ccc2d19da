import { getBezierPath, Position, type InternalNode } from '@xyflow/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { edgePath, EdgeLayer, splitLowDetailEdges, type LayerEdge } from './edgeLayer';

// A step as React Flow keeps it once measured: 260 wide, an input handle on the left at y 40 and an
// output handle on the right at y 60 (handle boxes 8 × 8, relative to the step).
function step(id: string, x: number, y: number, measured = true): InternalNode {
  return {
    id,
    position: { x, y },
    data: {},
    measured: measured ? { width: 260, height: 120 } : {},
    internals: {
      positionAbsolute: { x, y },
      z: 0,
      userNode: { id, position: { x, y }, data: {} },
      handleBounds: measured
        ? {
            target: [{ id: 'in:a', nodeId: id, type: 'target', position: Position.Left, x: -4, y: 40, width: 8, height: 8 }],
            source: [{ id: 'out:out', nodeId: id, type: 'source', position: Position.Right, x: 256, y: 60, width: 8, height: 8 }],
          }
        : undefined,
    },
  } as InternalNode;
}

/** React Flow's store replaces a moved node's internals; so does this. */
function moved(node: InternalNode, x: number, y: number): InternalNode {
  return { ...node, internals: { ...node.internals, positionAbsolute: { x, y } } };
}

const edge = (id: string, source: string, target: string, extra: Partial<LayerEdge> = {}): LayerEdge => ({
  id,
  source,
  sourceHandle: 'out:out',
  target,
  targetHandle: 'in:a',
  ...extra,
});

describe('edgePath', () => {
  it('draws the bezier React Flow draws between the two handles', () => {
    const nodes = new Map([
      ['a', step('a', 0, 0)],
      ['b', step('b', 400, 100)],
    ]);
    const [expected] = getBezierPath({
      sourceX: 264,
      sourceY: 64,
      sourcePosition: Position.Right,
      targetX: 396,
      targetY: 144,
      targetPosition: Position.Left,
    });
    expect(edgePath(edge('e', 'a', 'b'), nodes)).toBe(expected);
  });

  it('draws nothing until both ends are measured, or for a handle that is not there', () => {
    const nodes = new Map([
      ['a', step('a', 0, 0)],
      ['b', step('b', 400, 100, false)],
    ]);
    expect(edgePath(edge('e', 'a', 'b'), nodes)).toBeNull();
    nodes.set('b', step('b', 400, 100));
    expect(edgePath(edge('e', 'a', 'b', { targetHandle: 'in:zzz' }), nodes)).toBeNull();
    expect(edgePath(edge('e', 'a', 'missing'), nodes)).toBeNull();
  });
});

describe('EdgeLayer', () => {
  let svg: SVGSVGElement;
  beforeEach(() => {
    svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  });
  const paths = (): SVGPathElement[] => Array.from(svg.querySelectorAll('path'));

  it('adds one path per edge once its ends are measured, styled as a React Flow edge', () => {
    const nodes = new Map([
      ['a', step('a', 0, 0)],
      ['b', step('b', 400, 0, false)],
      ['c', step('c', 400, 200)],
    ]);
    const layer = new EdgeLayer(svg);
    layer.setEdges([edge('ab', 'a', 'b'), edge('ac', 'a', 'c', { className: 'done', style: { stroke: '#123456' } })]);
    expect(layer.draw(nodes)).toBe(1);
    expect(paths().map((p) => p.dataset.id)).toEqual(['ac']);
    expect(paths()[0]!.getAttribute('class')).toBe('react-flow__edge react-flow__edge-path done');
    expect(paths()[0]!.style.stroke).toBe('rgb(18, 52, 86)');
    expect(paths()[0]!.getAttribute('d')).toBe(edgePath(edge('ac', 'a', 'c'), nodes));

    nodes.set('b', step('b', 400, 0)); // measured
    expect(layer.draw(nodes)).toBe(2);
    expect(paths().map((p) => p.dataset.id).sort()).toEqual(['ab', 'ac']);
  });

  it('redraws only the edges of a step that moved', () => {
    const nodes = new Map([
      ['a', step('a', 0, 0)],
      ['b', step('b', 400, 0)],
      ['c', step('c', 800, 0)],
    ]);
    const layer = new EdgeLayer(svg);
    layer.setEdges([edge('ab', 'a', 'b'), edge('bc', 'b', 'c')]);
    layer.draw(nodes);
    const [ab, bc] = paths();
    const bcBefore = bc!.getAttribute('d');
    bc!.setAttribute('d', 'M0 0'); // a redraw of bc would put its path back

    nodes.set('a', moved(nodes.get('a')!, 0, 300));
    layer.draw(nodes);
    expect(ab!.getAttribute('d')).toBe(edgePath(edge('ab', 'a', 'b'), nodes));
    expect(bc!.getAttribute('d')).toBe('M0 0');

    nodes.set('c', moved(nodes.get('c')!, 900, 0));
    layer.draw(nodes);
    expect(bc!.getAttribute('d')).not.toBe(bcBefore);
    expect(bc!.getAttribute('d')).toBe(edgePath(edge('bc', 'b', 'c'), nodes));
    expect(paths()).toEqual([ab, bc]);
  });

  it('follows the edges it is given: removed ones go, changed ones are drawn anew', () => {
    const nodes = new Map([
      ['a', step('a', 0, 0)],
      ['b', step('b', 400, 0)],
      ['c', step('c', 800, 0)],
    ]);
    const layer = new EdgeLayer(svg);
    const ab = edge('ab', 'a', 'b');
    layer.setEdges([ab, edge('bc', 'b', 'c')]);
    layer.draw(nodes);
    const kept = paths()[0];

    layer.setEdges([ab, edge('bc', 'b', 'c', { className: 'done' })]);
    expect(layer.draw(nodes)).toBe(2);
    expect(paths()[0]).toBe(kept);
    expect(paths()[1]!.classList.contains('done')).toBe(true);

    layer.setEdges([edge('bc', 'b', 'c')]);
    expect(layer.draw(nodes)).toBe(1);
    expect(paths().map((p) => p.dataset.id)).toEqual(['bc']);

    layer.clear();
    expect(paths()).toEqual([]);
  });
});

describe('splitLowDetailEdges', () => {
  it('leaves selected and animated edges to React Flow', () => {
    const edges = [
      { ...edge('plain', 'a', 'b') },
      { ...edge('picked', 'a', 'b'), selected: true },
      { ...edge('running', 'a', 'b'), animated: true },
    ];
    const { flow, layer } = splitLowDetailEdges(edges);
    expect(flow.map((e) => e.id)).toEqual(['picked', 'running']);
    expect(layer.map((e) => e.id)).toEqual(['plain']);
  });
});
