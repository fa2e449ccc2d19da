// The pipeline editor as a controlled component: `pipeline` in, `onChange`
// out, `readOnly` for past versions and runs. Internally one zustand store
// holds the document, selection and history (see store.ts).
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useCallback, useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ComponentSpec, DatasetRef, PipelineDocument, Position, Problem } from '../pipeline-core';
import { Icon } from '../components/Icon';
import { Canvas } from './Canvas';
import { EditorStoreContext, useEditor, useEditorStoreApi } from './context';
import { Palette } from './Palette';
import { ParametersPanel } from './ParametersPanel';
import { ProblemsPanel } from './ProblemsPanel';
import { PropertiesPanel } from './PropertiesPanel';
import { createEditorStore, minimapShown, type EditorState } from './store';

export interface PipelineEditorProps {
  pipeline: PipelineDocument;
  onChange?: (doc: PipelineDocument) => void;
  readOnly?: boolean;
  /** Every component version the graph may refer to (palette items included). */
  components: ComponentSpec[];
  /** Components offered in the palette; no palette when absent or read-only. */
  palette?: ComponentSpec[];
  /** Step states by node id (run page): shown as colour and `data-status`. */
  statuses?: Record<string, string>;
  onStepClick?: (nodeId: string) => void;
  onSave?: () => void;
  onProblemsChange?: (problems: Problem[]) => void;
  /** 'edit' shows the side panels; 'view' is the bare canvas (run page). */
  variant?: 'edit' | 'view';
  /** Datasets inputs may read and outputs may publish to; checks against them are skipped while absent. */
  datasets?: readonly DatasetRef[] | null;
  /** More side-panel tabs (the page's own, e.g. the pipeline's triggers). Keep the array stable. */
  extraTabs?: readonly EditorTab[];
  /**
   * The page changed the canvas's size (the run page's step drawer opened or closed): a new value
   * fits the view to the new size once the layout has settled.
   */
  fitKey?: string | number | boolean;
}

export interface EditorTab {
  id: string;
  label: string;
  render: () => ReactNode;
}

export function PipelineEditor(props: PipelineEditorProps): ReactElement {
  const [store] = useState(() => {
    const created = createEditorStore(props.pipeline, props.components, !!props.readOnly);
    created.setState({ showProblems: (props.variant ?? 'edit') === 'edit' });
    return created;
  });
  return (
    <EditorStoreContext.Provider value={store}>
      <ReactFlowProvider>
        <EditorInner {...props} />
      </ReactFlowProvider>
    </EditorStoreContext.Provider>
  );
}

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

function EditorInner({
  pipeline,
  onChange,
  readOnly = false,
  components,
  palette,
  statuses,
  onStepClick,
  onSave,
  onProblemsChange,
  variant = 'edit',
  datasets,
  extraTabs,
  fitKey,
}: PipelineEditorProps): ReactElement {
  const store = useEditorStoreApi();
  const { screenToFlowPosition } = useReactFlow();
  const wrapRef = useRef<HTMLDivElement>(null);
  const lastEmitted = useRef<PipelineDocument>(pipeline);
  const callbacks = useRef({ onChange, onSave, onProblemsChange });
  callbacks.current = { onChange, onSave, onProblemsChange };

  const fitKeySeen = useRef(fitKey);
  useEffect(() => {
    if (fitKey === fitKeySeen.current) return;
    fitKeySeen.current = fitKey;
    // React Flow learns its new size from a ResizeObserver, which reports after the next layout: wait
    // for that frame, then ask for the fit (the canvas waits one more for measured steps).
    let inner = 0;
    const outer = requestAnimationFrame(() => {
      inner = requestAnimationFrame(() => store.getState().requestFit());
    });
    return () => {
      cancelAnimationFrame(outer);
      cancelAnimationFrame(inner);
    };
  }, [fitKey, store]);

  // Controlled: a new `pipeline` from the parent (not an echo of our own change) replaces the document.
  useEffect(() => {
    if (pipeline !== lastEmitted.current && pipeline !== store.getState().doc) {
      lastEmitted.current = pipeline;
      store.getState().load(pipeline);
    }
  }, [pipeline, store]);

  useEffect(() => store.getState().setSpecs(components), [components, store]);
  useEffect(() => store.getState().setDatasets(datasets ?? null), [datasets, store]);
  useEffect(() => store.getState().setReadOnly(readOnly), [readOnly, store]);
  useEffect(() => store.getState().setShowProblems(variant === 'edit'), [variant, store]);

  useEffect(() => {
    callbacks.current.onProblemsChange?.(store.getState().problems);
    return store.subscribe((state, prev) => {
      // A drag moves a step on every frame: the parent hears of the new positions once, when it ends,
      // instead of re-rendering its whole page sixty times a second.
      if (state.doc !== lastEmitted.current && !state.dragging) {
        lastEmitted.current = state.doc;
        callbacks.current.onChange?.(state.doc);
      }
      if (state.problems !== prev.problems) callbacks.current.onProblemsChange?.(state.problems);
    });
  }, [store]);

  // Keyboard shortcuts. Delete/Backspace are React Flow's own (deleteKeyCode).
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const key = e.key.toLowerCase();
      if (key === 's') {
        e.preventDefault();
        callbacks.current.onSave?.();
        return;
      }
      if (isEditable(e.target) || document.querySelector('[aria-modal="true"]')) return;
      const s = store.getState();
      if (key === 'z' && !e.shiftKey) s.undo();
      else if ((key === 'z' && e.shiftKey) || key === 'y') s.redo();
      else if (key === 'c') {
        const n = s.copySelection();
        if (n) s.notify('info', `Copied ${n} step${n > 1 ? 's' : ''}.`);
        else return;
      } else if (key === 'v') s.paste();
      else if (key === 'a') s.select(s.doc.graph.nodes.map((n) => n.id));
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  const addAt = useCallback(
    (versionId: number, position: Position) => {
      const spec = palette?.find((c) => c.id === versionId) ?? components.find((c) => c.id === versionId);
      if (spec) store.getState().addComponent(spec, position);
    },
    [palette, components, store],
  );

  const addAtCentre = useCallback(
    (spec: ComponentSpec) => {
      const rect = wrapRef.current?.getBoundingClientRect();
      const centre = rect ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 } : { x: 400, y: 300 };
      const p = screenToFlowPosition(centre);
      const jitter = (store.getState().doc.graph.nodes.length % 5) * 24;
      store.getState().addComponent(spec, { x: Math.round(p.x - 120 + jitter), y: Math.round(p.y - 50 + jitter) });
    },
    [screenToFlowPosition, store],
  );

  return (
    <div className={`editor editor-${variant}${readOnly ? ' read-only' : ''}`}>
      {palette && !readOnly ? <Palette components={palette} onAdd={addAtCentre} /> : null}
      <div className="canvas-wrap" ref={wrapRef} data-testid="canvas">
        {variant === 'edit' ? <MemoToolbar /> : null}
        <MemoCanvas statuses={statuses} onStepClick={onStepClick} onDropComponent={addAt} />
        <NoticeBanner />
      </div>
      {variant === 'edit' ? <MemoSidePanel extraTabs={extraTabs} /> : null}
    </div>
  );
}

// What the toolbar shows, as plain values: it re-renders when one of them changes, not on every
// change of the store (a drag changes the document on every frame).
const toolbarSelector = (st: EditorState) => ({
  readOnly: st.readOnly,
  canUndo: st.past.length > 0,
  canRedo: st.future.length > 0,
  hasNodeSelection: st.selectedNodes.size > 0,
  hasSelection: st.selectedNodes.size > 0 || st.selectedEdges.size > 0,
  hasClipboard: !!st.clipboard,
  hasNodes: st.doc.graph.nodes.length > 0,
  minimapOn: minimapShown(st),
  undo: st.undo,
  redo: st.redo,
  copySelection: st.copySelection,
  paste: st.paste,
  deleteSelection: st.deleteSelection,
  autoLayout: st.autoLayout,
  toggleMinimap: st.toggleMinimap,
});

function Toolbar(): ReactElement {
  const s = useEditor(useShallow(toolbarSelector));
  const { fitView } = useReactFlow();
  const hasSelection = s.hasSelection;
  return (
    <div className="editor-toolbar" role="toolbar" aria-label="Editor tools">
      {s.readOnly ? (
        <span className="readonly-tag">Read-only</span>
      ) : (
        <>
          <button type="button" className="tool" onClick={s.undo} disabled={!s.canUndo} title="Undo (Ctrl+Z)" aria-label="Undo">
            <Icon name="undo" />
          </button>
          <button type="button" className="tool" onClick={s.redo} disabled={!s.canRedo} title="Redo (Ctrl+Y)" aria-label="Redo">
            <Icon name="redo" />
          </button>
          <span className="tool-sep" />
          <button
            type="button"
            className="tool"
            onClick={() => s.copySelection()}
            disabled={!s.hasNodeSelection}
            title="Copy (Ctrl+C)"
            aria-label="Copy"
          >
            <Icon name="copy" />
          </button>
          <button type="button" className="tool" onClick={() => s.paste()} disabled={!s.hasClipboard} title="Paste (Ctrl+V)" aria-label="Paste">
            <Icon name="paste" />
          </button>
          <button type="button" className="tool" onClick={s.deleteSelection} disabled={!hasSelection} title="Delete (Del)" aria-label="Delete selection">
            <Icon name="trash" />
          </button>
          <span className="tool-sep" />
          <button
            type="button"
            className="tool text"
            onClick={s.autoLayout}
            disabled={!s.hasNodes}
            title="Arrange steps left to right"
            data-testid="auto-layout"
          >
            <Icon name="layout" /> Auto-layout
          </button>
        </>
      )}
      <button
        type="button"
        className={`tool text${s.minimapOn ? ' on' : ''}`}
        onClick={s.toggleMinimap}
        aria-pressed={s.minimapOn}
        title="Show or hide the minimap"
        data-testid="toggle-minimap"
      >
        <Icon name="map" /> Map
      </button>
      <button type="button" className="tool text" onClick={() => void fitView({ padding: 0.15, duration: 250 })} title="Fit to view" data-testid="fit-view">
        <Icon name="fit" /> Fit
      </button>
    </div>
  );
}

function NoticeBanner(): ReactElement | null {
  const notice = useEditor((s) => s.notice);
  const dismiss = useEditor((s) => s.dismissNotice);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(dismiss, notice.kind === 'error' ? 6000 : 2500);
    return () => clearTimeout(t);
  }, [notice, dismiss]);
  if (!notice) return null;
  return (
    <div
      className={`notice notice-${notice.kind}`}
      role={notice.kind === 'error' ? 'alert' : 'status'}
      data-testid={notice.kind === 'error' ? 'connection-error' : 'editor-notice'}
      key={notice.id}
    >
      <span>{notice.text}</span>
      <button type="button" className="icon-btn" onClick={dismiss} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}

type Tab = 'step' | 'pipeline' | 'problems' | (string & {});

function SidePanel({ extraTabs }: { extraTabs?: readonly EditorTab[] }): ReactNode {
  const [tab, setTab] = useState<Tab>('step');
  const problems = useEditor((s) => s.problems);
  const selected = useEditor((s) => s.selectedNodes);
  const paramCount = useEditor((s) => s.doc.parameters.length);
  useEffect(() => {
    if (selected.size) setTab('step');
  }, [selected]);
  const tabs: Array<{ id: Tab; label: string }> = [
    { id: 'step', label: 'Step' },
    { id: 'pipeline', label: `Parameters${paramCount ? ` (${paramCount})` : ''}` },
    { id: 'problems', label: `Problems${problems.length ? ` (${problems.length})` : ''}` },
    ...(extraTabs ?? []).map((t) => ({ id: t.id, label: t.label })),
  ];
  const extra = extraTabs?.find((t) => t.id === tab);
  return (
    <aside className="side-panel" aria-label="Properties">
      <div className="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={`tab${tab === t.id ? ' active' : ''}${t.id === 'problems' && problems.length ? ' warn' : ''}`}
            onClick={() => setTab(t.id)}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="side-body">
        {extra ? extra.render() : tab === 'step' ? <PropertiesPanel /> : tab === 'pipeline' ? <ParametersPanel /> : <ProblemsPanel />}
      </div>
    </aside>
  );
}

// The parent re-renders on every change it is told about (it is a controlled
// component); these read what they need from the store, so skip those renders.
const MemoCanvas = memo(Canvas);
const MemoToolbar = memo(Toolbar);
const MemoSidePanel = memo(SidePanel);
