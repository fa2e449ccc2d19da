import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
  type OnConnectEnd,
} from '@xyflow/react';
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type MouseEvent,
  type PointerEvent,
  type ReactElement,
} from 'react';
import { portOfHandle, type ConnectionRequest, type Position, type Size } from '../pipeline-core';
import { categoryColor } from './categories';
import { LowDetailContext, nodeTypes, type StepFlowNode } from './ComponentNode';
import { useEditor, useEditorStoreApi } from './context';
import { splitLowDetailEdges } from './edgeLayer';
import { LowDetailEdges } from './LowDetailEdges';
import { PALETTE_MIME } from './Palette';
import { minimapShown } from './store';
import { useFlowEdges, useFlowNodes, type StepEdge } from './useFlowElements';

const STATUS_COLORS: Record<string, string> = {
  pending: '#cbd5e1',
  queued: '#93c5fd',
  running: '#3b82f6',
  completed: '#22c55e',
  cached: '#14b8a6',
  failed: '#ef4444',
  aborted: '#f97316',
  skipped: '#e2e8f0',
};

function toRequest(c: Connection | StepEdge): ConnectionRequest | null {
  const output = portOfHandle(c.sourceHandle, 'out');
  const input = portOfHandle(c.targetHandle, 'in');
  if (!output || !input) return null;
  return { source: c.source, output, target: c.target, input };
}

export interface CanvasProps {
  statuses?: Record<string, string>;
  onStepClick?: (nodeId: string) => void;
  onDropComponent?: (versionId: number, position: Position) => void;
}

// Below this zoom, port labels are too small to read: the canvas drops them (and shadows)
// with one CSS class, which keeps a 500-node pipeline smooth to pan without a GPU.
const LOW_DETAIL_ZOOM = 0.55;
const lowDetailSelector = (s: { transform: [number, number, number] }): boolean => s.transform[2] < LOW_DETAIL_ZOOM;
// React Flow applies `defaultViewport` in an effect after its first render, together with its pan-zoom handler:
// until then its store says zoom 1.
const viewportAppliedSelector = (s: { panZoom: unknown }): boolean => s.panZoom !== null;

// Props of <ReactFlow> that are objects, at module scope: React Flow copies them into its store whenever
// their identity changes, and a new `defaultEdgeOptions` re-renders every edge. Inline literals would
// do that on every drag frame of a 500-node pipeline.
const FIT_VIEW_OPTIONS = { padding: 0.15, maxZoom: 1.1 };
const DEFAULT_EDGE_OPTIONS = { interactionWidth: 16 };
const DELETE_KEYS = ['Delete', 'Backspace'];
const MULTI_SELECTION_KEYS = ['Shift', 'Meta', 'Control'];

const NO_EDGES: StepEdge[] = [];

/** A viewport that shows all of these positions (steps about 260 × 130) in most of the window. */
function roughFit(positions: Position[]): { x: number; y: number; zoom: number } {
  if (!positions.length || typeof window === 'undefined') return { x: 0, y: 0, zoom: 1 };
  const xs = positions.map((p) => p.x);
  const ys = positions.map((p) => p.y);
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
  const width = Math.max(...xs) + 260 - x0;
  const height = Math.max(...ys) + 130 - y0;
  const zoom = Math.min(1, (window.innerWidth * 0.6) / width, (window.innerHeight * 0.8) / height);
  return { x: -x0 * zoom, y: -y0 * zoom, zoom: Math.max(zoom, 0.05) };
}

export function Canvas({ statuses, onStepClick, onDropComponent }: CanvasProps): ReactElement {
  const store = useEditorStoreApi();
  const readOnly = useEditor((s) => s.readOnly);
  const fitRequest = useEditor((s) => s.fitRequest);
  const zoomedOut = useStore(lowDetailSelector);
  const viewportApplied = useStore(viewportAppliedSelector);
  const showMinimap = useEditor(minimapShown);
  const nodes = useFlowNodes(statuses);
  const edges = useFlowEdges(statuses);
  const { screenToFlowPosition, fitView } = useReactFlow<StepFlowNode, StepEdge>();
  const firstFit = useRef(true);
  // Fit the view to a graph that is there when the canvas opens. On an empty canvas React Flow
  // would keep that fit pending and apply it to the first dropped step, jumping and zooming under the cursor.
  const [fitOnOpen] = useState(() => store.getState().doc.graph.nodes.length > 0);
  // Where the view starts until React Flow has measured the steps and fits them: roughly fitted already,
  // from the positions in the document and the window's size. A large pipeline then renders at low
  // detail from the first frame, instead of rendering every port's text at 100 % to hide it a moment later.
  const [initialViewport] = useState(() => roughFit(store.getState().doc.graph.nodes.map((n) => n.position)));
  // The first render is at the zoom the view is about to get, not at React Flow's zoom 1 of that moment: a
  // large pipeline would otherwise render all its steps with every port (none measured yet, so all count as
  // in view) and then all over again without.
  const lowDetail = viewportApplied ? zoomedOut : initialViewport.zoom < LOW_DETAIL_ZOOM;
  // Crossing the low-detail zoom hands the edges from React Flow to the layer or back: that frame re-renders
  // them once.
  const split = useMemo(() => (lowDetail ? splitLowDetailEdges(edges) : { flow: edges, layer: NO_EDGES }), [lowDetail, edges]);

  useEffect(() => {
    if (firstFit.current) {
      firstFit.current = false;
      return; // the initial fit is done by the fitView prop
    }
    // Wait a frame so freshly laid-out nodes are measured.
    const id = requestAnimationFrame(() => void fitView({ padding: 0.15, duration: 250 }));
    return () => cancelAnimationFrame(id);
  }, [fitRequest, fitView]);

  // During a drag, React Flow reports a position for every mouse move, and a browser may deliver several
  // moves per frame. Each report re-renders the canvas (500 steps, 1,400 edges), so they are merged and
  // applied once per animation frame; the end of the drag applies what is pending at once.
  const pendingMoves = useRef<{ positions: Map<string, Position>; frame: number } | null>(null);
  const flushMoves = useCallback(() => {
    const pending = pendingMoves.current;
    if (!pending) return;
    pendingMoves.current = null;
    cancelAnimationFrame(pending.frame);
    store.getState().moveNodes(pending.positions, true);
  }, [store]);
  useEffect(() => flushMoves, [flushMoves]);

  const onNodesChange = useCallback(
    (changes: NodeChange<StepFlowNode>[]) => {
      const positions = new Map<string, Position>();
      const sizes = new Map<string, Size>();
      const selection: Array<{ id: string; selected: boolean }> = [];
      let dragging = false;
      for (const c of changes) {
        if (c.type === 'position' && c.position) {
          positions.set(c.id, c.position);
          dragging ||= !!c.dragging;
        } else if (c.type === 'dimensions' && c.dimensions) {
          sizes.set(c.id, { width: c.dimensions.width, height: c.dimensions.height });
        } else if (c.type === 'select') {
          selection.push({ id: c.id, selected: c.selected });
        }
        // 'remove' is handled once, in onDelete, so one undo step covers nodes and their edges.
      }
      const state = store.getState();
      if (sizes.size) state.setMeasured(sizes);
      if (positions.size && dragging) {
        if (pendingMoves.current) {
          for (const [id, p] of positions) pendingMoves.current.positions.set(id, p);
        } else {
          pendingMoves.current = { positions, frame: requestAnimationFrame(flushMoves) };
        }
      } else if (positions.size || changes.some((c) => c.type === 'position' && !c.dragging)) {
        flushMoves();
        state.moveNodes(positions, false);
      }
      if (selection.length) state.setNodeSelected(selection);
    },
    [store, flushMoves],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<StepEdge>[]) => {
      const selection = changes.flatMap((c) => (c.type === 'select' ? [{ id: c.id, selected: c.selected }] : []));
      if (selection.length) store.getState().setEdgeSelected(selection);
    },
    [store],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const req = toRequest(c);
      if (req) store.getState().connect(req);
    },
    [store],
  );

  const isValidConnection: IsValidConnection<StepEdge> = useCallback(
    (c) => {
      const req = toRequest(c);
      return !!req && store.getState().explainConnection(req) === null;
    },
    [store],
  );

  // Dropping on a handle that refused the connection: say why.
  const onConnectEnd: OnConnectEnd = useCallback(
    (_event, state: FinalConnectionState) => {
      if (!state.toHandle || state.isValid || !state.fromHandle) return;
      const from = state.fromHandle;
      const to = state.toHandle;
      if (from.type === to.type) {
        store.getState().notify('error', 'Connect an output (right side) to an input (left side).');
        return;
      }
      const source = from.type === 'source' ? from : to;
      const target = from.type === 'source' ? to : from;
      const req = toRequest({
        source: source.nodeId,
        sourceHandle: source.id ?? null,
        target: target.nodeId,
        targetHandle: target.id ?? null,
      });
      const reason = req ? store.getState().explainConnection(req) : null;
      if (reason) store.getState().notify('error', reason);
    },
    [store],
  );

  const onDelete = useCallback(
    ({ nodes: gone, edges: cut }: { nodes: StepFlowNode[]; edges: StepEdge[] }) => {
      const edgesToCut = cut.flatMap((e) => {
        const input = portOfHandle(e.targetHandle, 'in');
        return input ? [{ target: e.target, input }] : [];
      });
      store.getState().deleteElements(
        gone.map((n) => n.id),
        edgesToCut,
      );
    },
    [store],
  );

  const onDragOver = useCallback(
    (event: DragEvent) => {
      if (readOnly || !event.dataTransfer.types.includes(PALETTE_MIME)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    },
    [readOnly],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      const raw = event.dataTransfer.getData(PALETTE_MIME);
      if (readOnly || !raw) return;
      event.preventDefault();
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      onDropComponent?.(Number(raw), { x: Math.round(position.x - 20), y: Math.round(position.y - 20) });
    },
    [readOnly, screenToFlowPosition, onDropComponent],
  );

  const onNodeClick = useCallback(
    (_e: MouseEvent, node: StepFlowNode) => {
      onStepClick?.(node.id);
    },
    [onStepClick],
  );

  // A drag of a step or of the canvas keeps the pointer captured by what was grabbed: the browser then
  // skips hit-testing the whole canvas on every move (on 500 steps, most of a frame). React Flow follows
  // the mouse on the window, so it sees the same events. Handles are left alone: a new connection
  // looks for the handle under the pointer. So are edges: the pane would capture the pointer, and the click
  // that selects the edge would go to the pane.
  const onPointerDownCapture = useCallback((event: PointerEvent<HTMLDivElement>) => {
    const target = event.target as Element;
    if (event.button !== 0 || target.closest('.react-flow__handle, .react-flow__edge')) return;
    const grabbed = target.closest('.react-flow__node, .react-flow__pane');
    if (grabbed?.closest('.react-flow') !== event.currentTarget) return;
    try {
      grabbed.setPointerCapture?.(event.pointerId);
    } catch {
      // Not an active pointer (a synthetic event): nothing to capture.
    }
  }, []);

  const minimapColor = useCallback(
    (n: StepFlowNode) => (n.data.status ? (STATUS_COLORS[n.data.status] ?? '#cbd5e1') : categoryColor(n.data.spec?.category)),
    [],
  );

  return (
    <LowDetailContext.Provider value={lowDetail}>
      <ReactFlow<StepFlowNode, StepEdge>
        nodes={nodes}
        edges={split.flow}
        className={lowDetail ? 'low-detail' : undefined}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onDelete={onDelete}
        onDragOver={onDragOver}
        onDrop={onDrop}
        onNodeClick={onNodeClick}
        onPointerDownCapture={onPointerDownCapture}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesFocusable={!readOnly}
        deleteKeyCode={readOnly ? null : DELETE_KEYS}
        multiSelectionKeyCode={MULTI_SELECTION_KEYS}
        onlyRenderVisibleElements={nodes.length > 150}
        minZoom={0.05}
        maxZoom={2}
        fitView={fitOnOpen}
        defaultViewport={initialViewport}
        fitViewOptions={FIT_VIEW_OPTIONS}
        connectionRadius={24}
        defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
        elevateEdgesOnSelect
      >
        {/* Zoomed far out the dots are a grey haze a few pixels apart, and repainting them on every frame of a
            pan was a quarter of the painting: the grid shows again at a readable zoom. */}
        {lowDetail ? null : <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} color="#cbd5e1" />}
        {lowDetail ? <LowDetailEdges edges={split.layer} /> : null}
        {showMinimap ? (
          <MiniMap<StepFlowNode> pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={2} ariaLabel="Minimap" />
        ) : null}
        <Controls showInteractive={false} position="bottom-left" />
      </ReactFlow>
    </LowDetailContext.Provider>
  );
}
