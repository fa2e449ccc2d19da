import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { useBlocker, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import {
  useDatasets,
  usePipeline,
  usePipelineVersion,
  usePipelineVersions,
  useSavePipeline,
} from '../api/hooks';
import type { Pipeline } from '../api/types';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatRelative, formatUntil } from '../components/format';
import { toast } from '../components/toast';
import { PipelineEditor, type EditorTab } from '../editor/PipelineEditor';
import {
  DocumentError,
  documentsEqual,
  emptyDocument,
  parseDocument,
  serializeGraph,
  serializeParameters,
  type ComponentLookup,
  type DatasetRef,
  type PipelineDocument,
  type Problem,
} from '../pipeline-core';
import { ScheduleDialog } from '../schedules/ScheduleDialog';
import { PipelineTriggers } from './PipelineTriggers';
import { RunDialog } from './RunDialog';
import { useSpecs } from './useSpecs';

interface Baseline {
  doc: PipelineDocument;
  name: string;
  description: string;
}

function docOf(pipeline: Pipeline): PipelineDocument {
  const v = pipeline.latest_version;
  return v ? parseDocument(v.graph, v.parameters) : emptyDocument();
}

export function EditorPage(): ReactElement {
  const params = useParams();
  const id = params.id ? Number(params.id) : null;
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const viewNumber = search.get('version') ? Number(search.get('version')) : null;

  const pipeline = usePipeline(id);
  const versions = usePipelineVersions(id);
  const latestNumber = pipeline.data?.latest_version?.number ?? null;
  const readOnly = viewNumber !== null && viewNumber !== latestNumber;
  const past = usePipelineVersion(readOnly ? id : null, readOnly ? viewNumber : null);

  const [doc, setDoc] = useState<PipelineDocument | null>(() => (id === null ? emptyDocument() : null));
  const [name, setName] = useState(id === null ? 'Untitled pipeline' : '');
  const [description, setDescription] = useState('');
  const [baseline, setBaseline] = useState<Baseline | null>(() =>
    id === null ? { doc: emptyDocument(), name: 'Untitled pipeline', description: '' } : null,
  );
  const [loadedId, setLoadedId] = useState<number | null>(id);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saveOpen, setSaveOpen] = useState(false);
  const [runOpen, setRunOpen] = useState(false);
  const [scheduleOpen, setScheduleOpen] = useState(false);
  const datasetList = useDatasets();
  // What validation knows about datasets; undefined until loaded (the checks wait, as the server's would not).
  const datasetRefs = useMemo<DatasetRef[] | undefined>(
    () => datasetList.data?.map((d) => ({ id: d.id, name: d.name, kind: d.kind, latest_version: d.latest_version?.number ?? 0 })),
    [datasetList.data],
  );
  const justSaved = useRef<number | null>(null);
  const save = useSavePipeline();

  // Load the pipeline when it arrives, or when the route moves to another one.
  useEffect(() => {
    if (id === null) return;
    if (justSaved.current === id) {
      // The route changed from /pipelines/new to our new id: keep editing what we have.
      justSaved.current = null;
      setLoadedId(id);
      return;
    }
    if (!pipeline.data || (loadedId === id && doc !== null)) return;
    try {
      const loaded = docOf(pipeline.data);
      setDoc(loaded);
      setName(pipeline.data.name);
      setDescription(pipeline.data.description ?? '');
      setBaseline({ doc: loaded, name: pipeline.data.name, description: pipeline.data.description ?? '' });
      setLoadedId(id);
      setLoadError(null);
    } catch (e) {
      setLoadError(e instanceof DocumentError ? e.message : String(e));
    }
  }, [id, pipeline.data, loadedId, doc]);

  const pastDoc = useMemo(() => {
    if (!readOnly || !past.data) return null;
    try {
      return parseDocument(past.data.graph, past.data.parameters);
    } catch {
      return null;
    }
  }, [readOnly, past.data]);
  const shown = readOnly ? pastDoc : doc;
  const specs = useSpecs(shown);

  // Triggers run the newest saved version, so the Triggers tab reads that one, not the unsaved edits.
  const savedDoc = useMemo(() => {
    const v = pipeline.data?.latest_version;
    if (!v) return null;
    try {
      return parseDocument(v.graph, v.parameters);
    } catch {
      return null;
    }
  }, [pipeline.data]);
  const lookup = useMemo<ComponentLookup>(() => {
    const map = new Map(specs.all.map((c) => [c.id, c]));
    return (cv) => map.get(cv);
  }, [specs.all]);
  const extraTabs = useMemo<EditorTab[] | undefined>(
    () =>
      id === null
        ? undefined
        : [
            {
              id: 'triggers',
              label: 'Triggers',
              render: () => <PipelineTriggers pipelineId={id} saved={savedDoc} lookup={lookup} onSchedule={() => setScheduleOpen(true)} />,
            },
          ],
    [id, savedDoc, lookup],
  );

  // Comparing two 500-node documents on every drag frame is wasted work: the
  // exact answer is computed when it matters (leaving, running), the badge
  // follows shortly after the last edit.
  const isDirtyNow = useCallback(
    (): boolean =>
      !!doc &&
      !!baseline &&
      (name !== baseline.name || description !== baseline.description || (doc !== baseline.doc && !documentsEqual(doc, baseline.doc))),
    [doc, baseline, name, description],
  );
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (!doc || !baseline) return setDirty(false);
    if (doc === baseline.doc && name === baseline.name && description === baseline.description) return setDirty(false);
    const t = setTimeout(() => setDirty(isDirtyNow()), 150);
    return () => clearTimeout(t);
  }, [doc, baseline, name, description, isDirtyNow]);
  const mayBeDirty = !!doc && !!baseline && (doc !== baseline.doc || name !== baseline.name || description !== baseline.description);

  useEffect(() => {
    document.title = `${dirty ? '• ' : ''}${name || 'Pipeline'} · Pipeline Studio`;
  }, [name, dirty]);

  // Leaving with unsaved changes asks first: in-app navigation and closing the tab.
  const skipBlock = useRef(false);
  const blocker = useBlocker(
    useCallback(
      ({ currentLocation, nextLocation }: { currentLocation: { pathname: string }; nextLocation: { pathname: string } }) =>
        mayBeDirty && !skipBlock.current && currentLocation.pathname !== nextLocation.pathname && isDirtyNow(),
      [mayBeDirty, isDirtyNow],
    ),
  );
  useEffect(() => {
    if (!mayBeDirty) return;
    const onUnload = (e: BeforeUnloadEvent): void => {
      if (!isDirtyNow()) return;
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onUnload);
    return () => window.removeEventListener('beforeunload', onUnload);
  }, [mayBeDirty, isDirtyNow]);

  const doSave = useCallback(
    async (message: string): Promise<boolean> => {
      if (!doc) return false;
      if (!name.trim()) {
        toast.error('Give the pipeline a name first.');
        return false;
      }
      try {
        const saved = await save.mutateAsync({
          id,
          body: {
            name: name.trim(),
            description,
            graph: serializeGraph(doc.graph),
            parameters: serializeParameters(doc.parameters),
            message,
          },
        });
        setBaseline({ doc, name: name.trim(), description });
        setSaveOpen(false);
        toast.success(`Saved “${saved.name}” as version ${saved.latest_version?.number ?? ''}.`);
        if (id === null) {
          justSaved.current = saved.id;
          skipBlock.current = true;
          navigate(`/pipelines/${saved.id}`, { replace: true });
          skipBlock.current = false;
        }
        return true;
      } catch {
        setSaveOpen(true); // the dialog shows the server's problems
        return false;
      }
    },
    [doc, name, description, id, save, navigate],
  );

  const openSave = useCallback(() => {
    if (!readOnly) setSaveOpen(true);
  }, [readOnly]);

  if (id !== null && pipeline.error) {
    return (
      <div className="page">
        <ErrorMessage error={pipeline.error} title="Cannot open this pipeline" />
      </div>
    );
  }
  if (loadError) {
    return (
      <div className="page">
        <ErrorMessage error={new Error(loadError)} title="Cannot open this pipeline" />
      </div>
    );
  }
  const versionList = versions.data ?? [];
  const setViewVersion = (n: number | null): void => {
    const next = new URLSearchParams(search);
    if (n === null || n === latestNumber) next.delete('version');
    else next.set('version', String(n));
    setSearch(next);
  };

  return (
    <div className="editor-page">
      <header className="editor-head">
        <div className="title-block">
          <input
            className="title-input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-label="Pipeline name"
            data-testid="pipeline-name"
            disabled={readOnly}
            placeholder="Pipeline name"
          />
          <input
            className="desc-input"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            aria-label="Pipeline description"
            placeholder="Add a description"
            disabled={readOnly}
          />
        </div>
        <div className="head-meta">
          {dirty ? (
            <span className="unsaved" data-testid="unsaved">
              Unsaved changes
            </span>
          ) : id !== null ? (
            <span className="muted small">Saved</span>
          ) : null}
          {problems.length ? (
            <span className="problem-count" title={problems.map((p) => p.message).join('\n')} data-testid="problem-count">
              {problems.length} problem{problems.length > 1 ? 's' : ''}
            </span>
          ) : null}
        </div>
        <div className="head-actions">
          {id !== null ? (
            <select
              value={viewNumber ?? latestNumber ?? ''}
              onChange={(e) => setViewVersion(Number(e.target.value))}
              aria-label="Version"
              data-testid="version-select"
            >
              {versionList.length === 0 && latestNumber !== null ? <option value={latestNumber}>v{latestNumber} (latest)</option> : null}
              {versionList.map((v) => (
                <option key={v.id} value={v.number}>
                  v{v.number}
                  {v.number === latestNumber ? ' (latest)' : ''} · {formatRelative(v.created_at)}
                  {v.message ? ` · ${v.message.slice(0, 40)}` : ''}
                </option>
              ))}
            </select>
          ) : null}
          <button type="button" className="btn btn-secondary" onClick={openSave} disabled={readOnly || !doc} data-testid="save">
            Save
          </button>
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => setScheduleOpen(true)}
            disabled={id === null}
            title={id === null ? 'Save the pipeline first' : 'Run it on a cron schedule'}
            data-testid="schedule"
          >
            ◷ Schedule
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => setRunOpen(true)}
            disabled={id === null || !shown}
            title={id === null ? 'Save the pipeline first' : 'Start a run'}
            data-testid="run"
          >
            ▶ Run
          </button>
        </div>
      </header>
      {readOnly ? (
        <div className="readonly-banner" role="status" data-testid="readonly-banner">
          Viewing version {viewNumber}
          {past.data?.message ? ` — “${past.data.message}”` : ''} (read-only).
          <button type="button" className="link" onClick={() => setViewVersion(null)}>
            Back to latest
          </button>
          {pastDoc ? (
            <button
              type="button"
              className="link"
              onClick={() => {
                setDoc(pastDoc);
                setViewVersion(null);
              }}
            >
              Restore this version into the editor
            </button>
          ) : null}
        </div>
      ) : null}
      <ErrorMessage error={specs.error} title="Cannot load the component catalog" />
      {past.error ? <ErrorMessage error={past.error} title="Cannot load that version" /> : null}
      <div className="editor-body">
        {shown && !specs.loading ? (
          <PipelineEditor
            key={readOnly ? `v${viewNumber}` : 'edit'}
            pipeline={shown}
            onChange={readOnly ? undefined : setDoc}
            readOnly={readOnly}
            components={specs.all}
            palette={specs.palette}
            onSave={openSave}
            onProblemsChange={setProblems}
            datasets={datasetRefs}
            extraTabs={extraTabs}
          />
        ) : (
          <div className="splash">Loading pipeline…</div>
        )}
      </div>

      {saveOpen && doc ? (
        <SaveDialog
          isNew={id === null}
          problems={problems}
          pending={save.isPending}
          error={save.error}
          onSave={(m) => void doSave(m)}
          onClose={() => {
            save.reset();
            setSaveOpen(false);
          }}
        />
      ) : null}
      {runOpen && id !== null && shown ? (
        <RunDialog
          pipelineId={id}
          parameters={shown.parameters}
          version={readOnly ? (viewNumber ?? undefined) : undefined}
          versionLabel={readOnly ? `version ${viewNumber}` : `the latest saved version${latestNumber ? ` (v${latestNumber})` : ''}`}
          onSaveFirst={!readOnly && isDirtyNow() ? () => doSave('Saved before run') : undefined}
          onClose={() => setRunOpen(false)}
        />
      ) : null}
      {scheduleOpen && id !== null ? (
        <ScheduleDialog
          pipelineId={id}
          note={
            isDirtyNow()
              ? 'Schedules run saved versions: your unsaved changes are not part of it until you save.'
              : `Runs ${pipeline.data?.name ?? 'this pipeline'} without a click, at the times below.`
          }
          onClose={() => setScheduleOpen(false)}
          onSaved={(s) => {
            setScheduleOpen(false);
            toast.success(`Scheduled: first run ${formatUntil(s.next_fire_at)}.`);
          }}
        />
      ) : null}
      {blocker.state === 'blocked' ? (
        <Dialog
          title="Leave without saving?"
          onClose={() => blocker.reset()}
          testId="unsaved-dialog"
          footer={
            <>
              <button type="button" className="btn btn-secondary" onClick={() => blocker.reset()}>
                Stay
              </button>
              <button type="button" className="btn btn-danger" onClick={() => blocker.proceed()} data-testid="leave-anyway">
                Leave and discard changes
              </button>
            </>
          }
        >
          <p>This pipeline has changes that are not saved yet.</p>
        </Dialog>
      ) : null}
    </div>
  );
}

function SaveDialog({
  isNew,
  problems,
  pending,
  error,
  onSave,
  onClose,
}: {
  isNew: boolean;
  problems: Problem[];
  pending: boolean;
  error: Error | null;
  onSave: (message: string) => void;
  onClose: () => void;
}): ReactElement {
  const [message, setMessage] = useState('');
  return (
    <Dialog
      title={isNew ? 'Save new pipeline' : 'Save a new version'}
      onClose={onClose}
      testId="save-dialog"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" onClick={() => onSave(message)} disabled={pending} data-testid="save-confirm">
            {pending ? 'Saving…' : 'Save version'}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSave(message);
        }}
      >
        <label className="field">
          <span className="field-name">Message (optional)</span>
          <input
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            placeholder="What changed?"
            data-testid="save-message"
            maxLength={500}
          />
        </label>
      </form>
      {problems.length ? (
        <p className="warn-text">
          The editor found {problems.length} problem{problems.length > 1 ? 's' : ''}; the server may refuse to save until they are fixed.
        </p>
      ) : null}
      <ErrorMessage error={error} title="Not saved" />
    </Dialog>
  );
}
