import { ViewportPortal, useStoreApi } from '@xyflow/react';
import { useLayoutEffect, useState, type ReactElement } from 'react';
import type { StepFlowNode } from './ComponentNode';
import { EdgeLayer } from './edgeLayer';
import type { StepEdge } from './useFlowElements';

/**
 * The canvas's edges zoomed far out (see edgeLayer.ts for why): drawn in one <svg> inside React Flow's
 * viewport, so a pan moves them with the steps without redrawing anything, and beneath the steps and
 * any edge React Flow still draws (a selected or animated one, Canvas.tsx).
 */
export function LowDetailEdges({ edges }: { edges: StepEdge[] }): ReactElement {
  const store = useStoreApi<StepFlowNode, StepEdge>();
  // The portal's target appears after React Flow's first render: a callback ref hears when the <svg> is in.
  const [svg, setSvg] = useState<SVGSVGElement | null>(null);
  const [layer, setLayer] = useState<EdgeLayer | null>(null);

  useLayoutEffect(() => {
    if (!svg) return;
    const next = new EdgeLayer(svg);
    setLayer(next);
    // Every change of React Flow's store: a drag's new positions, sizes and handles just measured, and
    // the frames of a pan, where draw() finds in a few microseconds that no step moved.
    const unsubscribe = store.subscribe((state) => next.draw(state.nodeLookup));
    return () => {
      unsubscribe();
      next.clear();
      setLayer(null);
    };
  }, [svg, store]);

  useLayoutEffect(() => {
    if (!layer) return;
    layer.setEdges(edges);
    layer.draw(store.getState().nodeLookup);
  }, [layer, edges, store]);

  return (
    <ViewportPortal>
      <svg ref={setSvg} className="edge-layer" aria-hidden="true" />
    </ViewportPortal>
  );
}
