// The editor's state in one zustand store: the document being edited, the
// catalog specs it refers to, selection, measured node sizes, undo/redo
// history, clipboard and live validation. React Flow is driven from here.
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  addNode,
  checkConnection,
  connect as connectDoc,
  copyNodes,
  disconnect,
  graphEdges,
  moveNodes,
  pasteFragment,
  problemsByNode,
  removeNodes,
  validateDocument,
  type ComponentLookup,
  type ComponentSpec,
  type ConnectionRequest,
  type DatasetRef,
  type Fragment,
  type PipelineDocument,
  type Position,
  type Problem,
  type Size,
} from '../pipeline-core';
import { layoutGraph } from '../pipeline-core/layout';

const HISTORY_LIMIT = 200;
const COALESCE_MS = 1200;

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface EditOptions {
  /** Consecutive edits with the same key (typing in one field) make one undo step. */
  coalesce?: string;
  /** Set false for changes that should not be undoable on their own. */
  history?: boolean;
}

export interface EditorState {
  doc: PipelineDocument;
  readOnly: boolean;
  /** Off on the run page: a run's graph is shown as it ran, not judged. */
  showProblems: boolean;
  specs: Map<number, ComponentSpec>;
  lookup: ComponentLookup;
  /** The datasets bindings and publish declarations may name; null until known (checks skipped). */
  datasets: readonly DatasetRef[] | null;
  datasetNames: ReadonlyMap<number, string>;
  problems: Problem[];
  nodeProblems: Map<string, Problem[]>;
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  measured: ReadonlyMap<string, Size>;
  past: PipelineDocument[];
  future: PipelineDocument[];
  lastEdit: { key: string; at: number } | null;
  dragging: boolean;
  clipboard: Fragment | null;
  pasteCount: number;
  notice: Notice | null;
  /** Bumped when the view should be fitted (after load or auto-layout). */
  fitRequest: number;
  /** null: automatic (shown up to MINIMAP_AUTO_LIMIT nodes); repainting it on every pan is what costs most on big graphs. */
  minimap: boolean | null;

  load(doc: PipelineDocument): void;
  setSpecs(specs: ComponentSpec[]): void;
  setDatasets(datasets: readonly DatasetRef[] | null): void;
  setReadOnly(readOnly: boolean): void;
  setShowProblems(show: boolean): void;
  edit(fn: (doc: PipelineDocument) => PipelineDocument, options?: EditOptions): void;
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
  addComponent(spec: ComponentSpec, position: Position): string;
  moveNodes(positions: Map<string, Position>, dragging: boolean): void;
  setMeasured(sizes: Map<string, Size>): void;
  select(nodes: Iterable<string>, edges?: Iterable<string>): void;
  setNodeSelected(changes: Array<{ id: string; selected: boolean }>): void;
  setEdgeSelected(changes: Array<{ id: string; selected: boolean }>): void;
  connect(req: ConnectionRequest): boolean;
  explainConnection(req: ConnectionRequest): string | null;
  deleteElements(nodeIds: string[], edges: Array<{ target: string; input: string }>): void;
  deleteSelection(): void;
  copySelection(): number;
  paste(): string[];
  autoLayout(): void;
  requestFit(): void;
  toggleMinimap(): void;
  notify(kind: Notice['kind'], text: string): void;
  dismissNotice(): void;
}

function makeLookup(specs: Map<number, ComponentSpec>): ComponentLookup {
  return (id) => specs.get(id);
}

function validated(
  doc: PipelineDocument,
  lookup: ComponentLookup,
  datasets: readonly DatasetRef[] | null,
): Pick<EditorState, 'problems' | 'nodeProblems'> {
  const problems = validateDocument(doc, lookup, datasets);
  return { problems, nodeProblems: problemsByNode(problems) };
}

let noticeId = 0;

export const MINIMAP_AUTO_LIMIT = 200;

export function minimapShown(state: Pick<EditorState, 'minimap' | 'doc'>): boolean {
  return state.minimap ?? state.doc.graph.nodes.length <= MINIMAP_AUTO_LIMIT;
}

export function createEditorStore(initial: PipelineDocument, specs: ComponentSpec[] = [], readOnly = false): StoreApi<EditorState> {
  const specMap = new Map(specs.map((s) => [s.id, s]));
  const lookup = makeLookup(specMap);

  return createStore<EditorState>()((set, get) => {
    /** Applies a new document, recording the old one for undo. */
    const commit = (next: PipelineDocument, options: EditOptions = {}): void => {
      const state = get();
      if (next === state.doc) return;
      const now = Date.now();
      const coalesce =
        options.coalesce !== undefined &&
        state.lastEdit?.key === options.coalesce &&
        now - state.lastEdit.at < COALESCE_MS;
      const record = options.history !== false && !coalesce;
      set({
        doc: next,
        ...validated(next, state.lookup, state.datasets),
        past: record ? [...state.past, state.doc].slice(-HISTORY_LIMIT) : state.past,
        future: options.history === false ? state.future : [],
        lastEdit: options.coalesce !== undefined ? { key: options.coalesce, at: now } : null,
      });
    };

    const selectedIds = (): string[] => [...get().selectedNodes];

    return {
      doc: initial,
      readOnly,
      showProblems: true,
      specs: specMap,
      lookup,
      datasets: null,
      datasetNames: new Map(),
      ...validated(initial, lookup, null),
      selectedNodes: new Set(),
      selectedEdges: new Set(),
      measured: new Map(),
      past: [],
      future: [],
      lastEdit: null,
      dragging: false,
      clipboard: null,
      pasteCount: 0,
      notice: null,
      fitRequest: 0,
      minimap: null,

      load(doc) {
        const state = get();
        const ids = new Set(doc.graph.nodes.map((n) => n.id));
        set({
          doc,
          ...validated(doc, state.lookup, state.datasets),
          past: [],
          future: [],
          lastEdit: null,
          selectedNodes: new Set([...state.selectedNodes].filter((id) => ids.has(id))),
          selectedEdges: new Set(),
          fitRequest: state.fitRequest + 1,
        });
      },

      setSpecs(list) {
        const state = get();
        const same = list.length === state.specs.size && list.every((s) => state.specs.get(s.id) === s);
        if (same) return;
        const map = new Map(list.map((s) => [s.id, s]));
        const nextLookup = makeLookup(map);
        set({ specs: map, lookup: nextLookup, ...validated(state.doc, nextLookup, state.datasets) });
      },

      setDatasets(list) {
        const state = get();
        if (list === state.datasets) return;
        const names = new Map((list ?? []).map((d) => [d.id, d.name]));
        set({ datasets: list, datasetNames: names, ...validated(state.doc, state.lookup, list) });
      },

      setReadOnly(value) {
        set({ readOnly: value });
      },

      setShowProblems(value) {
        set({ showProblems: value });
      },

      edit(fn, options) {
        if (get().readOnly) return;
        commit(fn(get().doc), options);
      },

      undo() {
        const { past, future, doc, lookup: lk, readOnly: ro, datasets } = get();
        if (ro || !past.length) return;
        const previous = past[past.length - 1]!;
        set({ doc: previous, ...validated(previous, lk, datasets), past: past.slice(0, -1), future: [doc, ...future], lastEdit: null });
      },

      redo() {
        const { past, future, doc, lookup: lk, readOnly: ro, datasets } = get();
        if (ro || !future.length) return;
        const next = future[0]!;
        set({ doc: next, ...validated(next, lk, datasets), past: [...past, doc], future: future.slice(1), lastEdit: null });
      },

      canUndo: () => get().past.length > 0,
      canRedo: () => get().future.length > 0,

      addComponent(spec, position) {
        const state = get();
        if (state.readOnly) return '';
        const specs = state.specs.has(spec.id) ? state.specs : new Map(state.specs).set(spec.id, spec);
        if (specs !== state.specs) set({ specs, lookup: makeLookup(specs) });
        const { doc, id } = addNode(get().doc, spec, position);
        commit(doc);
        set({ selectedNodes: new Set([id]), selectedEdges: new Set() });
        return id;
      },

      moveNodes(positions, dragging) {
        const state = get();
        if (state.readOnly) return;
        const next = moveNodes(state.doc, positions);
        // One undo step per drag: record when the drag starts, not on every frame. The document and the
        // dragging flag change together, so a subscriber never sees a drag's first move as a finished edit.
        if (next !== state.doc) {
          const record = !state.dragging;
          set({
            doc: next,
            dragging,
            past: record ? [...state.past, state.doc].slice(-HISTORY_LIMIT) : state.past,
            future: record ? [] : state.future,
            lastEdit: null,
          });
        } else if (state.dragging !== dragging) set({ dragging });
      },

      setMeasured(sizes) {
        // Recorded in place, without telling subscribers: React Flow has these sizes already, and they only
        // need to be there when a step's node is built again (useFlowNodes) or laid out. Publishing them
        // rebuilt every node of a freshly opened pipeline once more, a render pass of 500 steps.
        const measured = get().measured as Map<string, Size>;
        for (const [id, size] of sizes) measured.set(id, size);
      },

      select(nodes, edges = []) {
        set({ selectedNodes: new Set(nodes), selectedEdges: new Set(edges) });
      },

      setNodeSelected(changes) {
        const next = new Set(get().selectedNodes);
        for (const c of changes) {
          if (c.selected) next.add(c.id);
          else next.delete(c.id);
        }
        set({ selectedNodes: next });
      },

      setEdgeSelected(changes) {
        const next = new Set(get().selectedEdges);
        for (const c of changes) {
          if (c.selected) next.add(c.id);
          else next.delete(c.id);
        }
        set({ selectedEdges: next });
      },

      explainConnection(req) {
        const check = checkConnection(get().doc, get().lookup, req);
        return check.ok ? null : check.reason;
      },

      connect(req) {
        const state = get();
        if (state.readOnly) return false;
        const check = checkConnection(state.doc, state.lookup, req);
        if (!check.ok) {
          get().notify('error', check.reason);
          return false;
        }
        commit(connectDoc(state.doc, req));
        return true;
      },

      deleteElements(nodeIds, edges) {
        const state = get();
        if (state.readOnly || (!nodeIds.length && !edges.length)) return;
        const next = removeNodes(disconnect(state.doc, edges), nodeIds);
        commit(next);
        const gone = new Set(nodeIds);
        set({ selectedNodes: new Set([...state.selectedNodes].filter((id) => !gone.has(id))), selectedEdges: new Set() });
      },

      deleteSelection() {
        const state = get();
        const edges = graphEdges(state.doc.graph)
          .filter((e) => state.selectedEdges.has(e.id))
          .map((e) => ({ target: e.target, input: e.input }));
        state.deleteElements(selectedIds(), edges);
      },

      copySelection() {
        const ids = selectedIds();
        if (!ids.length) return 0;
        set({ clipboard: copyNodes(get().doc, ids), pasteCount: 0 });
        return ids.length;
      },

      paste() {
        const state = get();
        if (state.readOnly || !state.clipboard?.nodes.length) return [];
        const step = 40 * (state.pasteCount + 1);
        const { doc, ids } = pasteFragment(state.doc, state.clipboard, { x: step, y: step });
        commit(doc);
        set({ selectedNodes: new Set(ids), selectedEdges: new Set(), pasteCount: state.pasteCount + 1 });
        return ids;
      },

      autoLayout() {
        const state = get();
        if (state.readOnly) return;
        const positions = layoutGraph(state.doc.graph, state.lookup, (id) => state.measured.get(id));
        commit(moveNodes(state.doc, positions));
        set({ fitRequest: get().fitRequest + 1 });
      },

      requestFit() {
        set({ fitRequest: get().fitRequest + 1 });
      },

      toggleMinimap() {
        set({ minimap: !minimapShown(get()) });
      },

      notify(kind, text) {
        set({ notice: { id: ++noticeId, kind, text } });
      },

      dismissNotice() {
        set({ notice: null });
      },
    };
  });
}

