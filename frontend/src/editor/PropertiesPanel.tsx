import { memo, useDeferredValue, useMemo, useState, type ReactElement } from 'react';
import { typedDefault, ValueControl } from '../components/ValueControl';
import {
  connectableOutputs,
  datasetFits,
  DATASET_KINDS,
  describeType,
  isDatasetBinding,
  isFromBinding,
  isParameterBinding,
  isRequiredInput,
  isValueBinding,
  isValueType,
  parameterFits,
  renameNodeLabel,
  typeName,
  setArgument,
  setPublish,
  updateNode,
  type Binding,
  type ComponentSpec,
  type DatasetKind,
  type DatasetRef,
  type GraphNode,
  type JsonValue,
  type PipelineParameter,
  type PortSpec,
  type Problem,
  type PublishSpec,
  type ResourceOverrides,
} from '../pipeline-core';
import { categoryColor, categoryLabel } from './categories';
import { useEditor, useEditorStoreApi } from './context';
import { nodesIdentity, WIRING_FIELDS } from './useFlowElements';

const NO_PROBLEMS: Problem[] = [];

type Mode = 'default' | 'value' | 'parameter' | 'connection' | 'dataset';

function modeOf(binding: Binding | undefined): Mode {
  if (!binding) return 'default';
  if (isFromBinding(binding)) return 'connection';
  if (isParameterBinding(binding)) return 'parameter';
  if (isDatasetBinding(binding)) return 'dataset';
  return 'value';
}

const NO_DATASETS: readonly DatasetRef[] = [];

/** Dataset + version pickers for an input bound to `{dataset: {id, version}}`. */
function DatasetBindingEditor({
  port,
  binding,
  datasets,
  readOnly,
  onChange,
}: {
  port: PortSpec;
  binding: { dataset: { id: number; version: number | 'latest' } };
  datasets: readonly DatasetRef[];
  readOnly: boolean;
  onChange: (b: Binding) => void;
}): ReactElement {
  const current = datasets.find((d) => d.id === binding.dataset.id);
  const version = binding.dataset.version ?? 'latest';
  const versions = current ? Array.from({ length: current.latest_version }, (_, i) => current.latest_version - i) : [];
  return (
    <div className="dataset-binding">
      <select
        value={binding.dataset.id}
        disabled={readOnly}
        aria-label={`Dataset for ${port.name}`}
        data-testid={`bind-dataset-${port.name}`}
        onChange={(e) => onChange({ dataset: { id: Number(e.target.value), version: 'latest' } })}
      >
        {current ? null : <option value={binding.dataset.id}>dataset #{binding.dataset.id} (missing)</option>}
        {datasets.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name} ({d.kind}){datasetFits(d.kind, port.type) ? '' : ' (incompatible)'}
          </option>
        ))}
      </select>
      <select
        value={String(version)}
        disabled={readOnly}
        aria-label={`Version of the dataset for ${port.name}`}
        data-testid={`bind-dataset-version-${port.name}`}
        onChange={(e) => onChange({ dataset: { id: binding.dataset.id, version: e.target.value === 'latest' ? 'latest' : Number(e.target.value) } })}
      >
        <option value="latest">Latest version, when the run starts</option>
        {version !== 'latest' && !versions.includes(version) ? <option value={version}>v{version} (missing)</option> : null}
        {versions.map((n) => (
          <option key={n} value={n}>
            Pinned: v{n}
          </option>
        ))}
      </select>
    </div>
  );
}

const NEW_PARAMETER = '__new__';

/**
 * "Connect to…": the keyboard's way to draw an edge into `port`. Lists the outputs the canvas would
 * accept (pipeline-core's connection check: types fit, no cycle) and connects through the store, so
 * undo, validation and the canvas see it like a drawn edge.
 */
function ConnectSelect({ node, port, wiring }: { node: GraphNode; port: PortSpec; wiring: object }): ReactElement | null {
  const store = useEditorStoreApi();
  // Recomputed when the wiring changes (`wiring`, from NodeProperties), not on every frame of a step being dragged.
  const lookup = useEditor((s) => s.lookup);
  const candidates = useMemo(
    () => connectableOutputs(store.getState().doc, lookup, node.id, port.name),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [wiring, lookup, node.id, port.name, store],
  );
  if (!candidates.length) return null;
  return (
    <select
      className="connect-select"
      value=""
      aria-label={`Connect ${port.name} to an upstream output`}
      data-testid={`connect-${port.name}`}
      onChange={(e) => {
        const picked = candidates[Number(e.target.value)];
        if (picked) store.getState().connect({ source: picked.source, output: picked.output, target: node.id, input: port.name });
      }}
    >
      <option value="">Connect to…</option>
      {candidates.map((c, i) => (
        <option key={`${c.source}.${c.output}`} value={i}>
          {c.nodeName} → {c.output} ({describeType(c.type)})
        </option>
      ))}
    </select>
  );
}

function uniqueParamName(params: PipelineParameter[], base: string): string {
  const names = new Set(params.map((p) => p.name));
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) if (!names.has(`${base}_${i}`)) return `${base}_${i}`;
}

function InputEditor({
  node,
  port,
  problems,
  readOnly,
  wiring,
}: {
  node: GraphNode;
  port: PortSpec;
  problems: Problem[];
  readOnly: boolean;
  /** Changes when what a connection check reads of the pipeline does (WIRING_FIELDS). */
  wiring: object;
}): ReactElement {
  const store = useEditorStoreApi();
  const parameters = useEditor((s) => s.doc.parameters);
  const datasets = useEditor((s) => s.datasets) ?? NO_DATASETS;
  const binding = node.arguments[port.name];
  const mode = modeOf(binding);
  const required = isRequiredInput(port);
  const mine = problems.filter((p) => p.port === port.name);
  const fieldId = `prop-${node.id}-${port.name}`;
  // Artifact inputs (Dataset, Model, …) come from upstream outputs or dataset versions.
  const artifact = port.type !== null && !isValueType(typeName(port.type));
  const fileInput = !isValueType(typeName(port.type));
  const fittingDatasets = datasets.filter((d) => datasetFits(d.kind, port.type));

  const fits = (paramType: string): boolean => {
    const t = typeName(port.type);
    return t === null || parameterFits(paramType, t);
  };
  const bind = (b: Binding | undefined, coalesce?: string): void =>
    store.getState().edit((doc) => setArgument(doc, node.id, port.name, b), coalesce ? { coalesce } : undefined);

  const changeMode = (next: Mode): void => {
    if (next === mode) return;
    if (next === 'default') bind(undefined);
    else if (next === 'value') bind({ value: typedDefault(port.type, port.default) });
    else if (next === 'dataset') {
      const first = fittingDatasets[0];
      if (first) bind({ dataset: { id: first.id, version: 'latest' } });
    }
    else if (next === 'parameter') {
      const fit = parameters.find((p) => fits(p.type));
      if (fit) bind({ parameter: fit.name });
      else createParameter();
    }
  };

  const createParameter = (): void => {
    store.getState().edit((doc) => {
      const name = uniqueParamName(doc.parameters, port.name);
      const type = isValueType(typeName(port.type)) ? typeName(port.type)! : 'String';
      const value = isValueBinding(binding) ? binding.value : typedDefault(port.type, port.default);
      const withParam = { ...doc, parameters: [...doc.parameters, { name, type, default: value }] };
      return setArgument(withParam, node.id, port.name, { parameter: name });
    });
  };

  return (
    <div className={`field input-field${mine.length ? ' has-problem' : ''}`} data-testid={`prop-input-${port.name}`}>
      <div className="field-head">
        <label htmlFor={fieldId} className="field-name">
          {port.name}
          {required ? <span className="port-required">*</span> : null}
        </label>
        <span className="type-badge">{describeType(port.type)}</span>
        <select
          className="mode-select"
          value={mode}
          disabled={readOnly}
          onChange={(e) => changeMode(e.target.value as Mode)}
          aria-label={`How ${port.name} gets its value`}
          data-testid={`bind-mode-${port.name}`}
        >
          <option value="default">{port.default != null ? `Default (${port.default})` : required ? 'Unset' : 'Not set'}</option>
          {artifact && mode !== 'value' ? null : <option value="value">Value</option>}
          {artifact && mode !== 'parameter' ? null : <option value="parameter">Pipeline parameter</option>}
          {fileInput || mode === 'dataset' ? (
            <option value="dataset" disabled={!fittingDatasets.length && mode !== 'dataset'}>
              Dataset version{fittingDatasets.length || mode === 'dataset' ? '' : ' (none fits)'}
            </option>
          ) : null}
          {mode === 'connection' ? <option value="connection">Connection</option> : null}
        </select>
      </div>
      {port.description ? <p className="field-help">{port.description}</p> : null}
      {artifact && mode === 'default' ? (
        <p className="field-help">
          Connect an output of type {describeType(port.type)} to this input on the canvas or with “Connect to…”
          {fittingDatasets.length ? ', or read a dataset version' : ''}.
        </p>
      ) : null}
      {readOnly || mode === 'connection' ? null : <ConnectSelect node={node} port={port} wiring={wiring} />}
      {mode === 'dataset' && isDatasetBinding(binding) ? (
        <DatasetBindingEditor port={port} binding={binding} datasets={datasets} readOnly={readOnly} onChange={(b) => bind(b)} />
      ) : null}
      {mode === 'value' && isValueBinding(binding) ? (
        <ValueControl
          key={`${node.id}:${port.name}`}
          id={fieldId}
          type={port.type}
          value={binding.value}
          placeholder={port.default ?? ''}
          disabled={readOnly}
          invalid={mine.length > 0}
          label={`Value of ${port.name}`}
          testId={`value-${port.name}`}
          onChange={(v: JsonValue) => bind({ value: v }, `value:${node.id}:${port.name}`)}
        />
      ) : null}
      {mode === 'parameter' && isParameterBinding(binding) ? (
        <select
          id={fieldId}
          value={binding.parameter}
          disabled={readOnly}
          aria-label={`Parameter for ${port.name}`}
          data-testid={`bind-param-${port.name}`}
          onChange={(e) => (e.target.value === NEW_PARAMETER ? createParameter() : bind({ parameter: e.target.value }))}
        >
          {parameters.some((p) => p.name === binding.parameter) ? null : (
            <option value={binding.parameter}>{binding.parameter} (missing)</option>
          )}
          {parameters.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} : {p.type}
              {fits(p.type) ? '' : ' (incompatible)'}
            </option>
          ))}
          <option value={NEW_PARAMETER}>+ New parameter “{uniqueParamName(parameters, port.name)}”</option>
        </select>
      ) : null}
      {mode === 'connection' && isFromBinding(binding) ? (
        <div className="connection-info">
          <span>
            from <code>{binding.from.node}</code>.<code>{binding.from.output}</code>
          </span>
          {readOnly ? null : (
            <button type="button" className="link" onClick={() => bind(undefined)}>
              Disconnect
            </button>
          )}
        </div>
      ) : null}
      {mine.map((p, i) => (
        <p key={i} className="field-error" role="alert">
          {p.message}
        </p>
      ))}
    </div>
  );
}

const AUTO_KIND = '';

/** The outputs list, each file output with its "publish to a dataset" declarations. */
function OutputsEditor({ node, spec, problems, readOnly }: { node: GraphNode; spec: ComponentSpecLike; problems: Problem[]; readOnly: boolean }): ReactElement {
  const store = useEditorStoreApi();
  const datasets = useEditor((s) => s.datasets) ?? NO_DATASETS;
  const publish = node.publish ?? [];
  const write = (next: PublishSpec[], coalesce?: string): void =>
    store.getState().edit((doc) => setPublish(doc, node.id, next), coalesce ? { coalesce: `${coalesce}:${node.id}` } : undefined);
  const update = (index: number, patch: Partial<PublishSpec>, coalesce?: string): void =>
    write(
      publish.map((p, i) => {
        if (i !== index) return p;
        const next: PublishSpec = { ...p, ...patch };
        if (!next.kind) delete next.kind;
        return next;
      }),
      coalesce,
    );
  const listId = `publish-datasets-${node.id}`;
  return (
    <>
      <h4 className="section-title">Outputs</h4>
      <datalist id={listId}>
        {datasets.map((d) => (
          <option key={d.id} value={d.name}>
            {d.kind}
          </option>
        ))}
      </datalist>
      <ul className="output-list">
        {spec.outputs.map((o) => {
          const file = !isValueType(typeName(o.type));
          const entries = publish.map((p, index) => ({ p, index })).filter(({ p }) => p.output === o.name);
          return (
            <li key={o.name} className="output-item" data-testid={`prop-output-${o.name}`}>
              <div className="output-head">
                <code>{o.name}</code> <span className="type-badge">{describeType(o.type)}</span>
                {file && !readOnly ? (
                  <button
                    type="button"
                    className="link small push-right"
                    onClick={() => write([...publish, { output: o.name, dataset: `${node.id}-${o.name}` }])}
                    data-testid={`publish-add-${o.name}`}
                    title="Save this output as a new version of a dataset each time the step completes"
                  >
                    + Publish to dataset
                  </button>
                ) : null}
              </div>
              {o.description ? <div className="muted small">{o.description}</div> : null}
              {entries.map(({ p, index }) => {
                const mine = problems.filter((pr) => pr.field?.includes(`.publish[${index}]`));
                const existing = datasets.find((d) => d.name.toLowerCase() === p.dataset.trim().toLowerCase());
                return (
                  <div key={index} className={`publish-row${mine.length ? ' has-problem' : ''}`} data-testid={`publish-${o.name}-${index}`}>
                    <span className="publish-arrow" aria-hidden>
                      ⇪
                    </span>
                    <input
                      type="text"
                      list={listId}
                      value={p.dataset}
                      placeholder="dataset name"
                      disabled={readOnly}
                      aria-label={`Dataset that output ${o.name} is published to`}
                      data-testid={`publish-dataset-${o.name}`}
                      aria-invalid={mine.length > 0 || undefined}
                      onChange={(e) => update(index, { dataset: e.target.value }, `publish-name-${index}`)}
                    />
                    {readOnly ? null : (
                      <button
                        type="button"
                        className="icon-btn"
                        aria-label={`Stop publishing ${o.name} to ${p.dataset || 'a dataset'}`}
                        onClick={() => write(publish.filter((_, i) => i !== index))}
                      >
                        ✕
                      </button>
                    )}
                    <select
                      className="publish-kind"
                      value={p.kind ?? AUTO_KIND}
                      disabled={readOnly}
                      aria-label={`Kind of the dataset for ${o.name}`}
                      data-testid={`publish-kind-${o.name}`}
                      onChange={(e) => update(index, { kind: (e.target.value || undefined) as DatasetKind | undefined })}
                    >
                      <option value={AUTO_KIND}>as a {typeName(o.type) === 'Model' ? 'model' : 'dataset'} (automatic)</option>
                      {DATASET_KINDS.map((k) => (
                        <option key={k} value={k}>
                          as a {k}
                        </option>
                      ))}
                    </select>
                    <span className="publish-note muted small">
                      {p.dataset.trim()
                        ? existing
                          ? `adds a version to ${existing.kind} “${existing.name}” (now v${existing.latest_version})`
                          : `creates “${p.dataset.trim()}” on the first run`
                        : 'name a dataset (new or existing)'}
                    </span>
                    {mine.map((pr, i) => (
                      <p key={i} className="field-error" role="alert">
                        {pr.message}
                      </p>
                    ))}
                  </div>
                );
              })}
            </li>
          );
        })}
      </ul>
    </>
  );
}

type ComponentSpecLike = { outputs: PortSpec[] };

function NumberField({
  label,
  value,
  placeholder,
  onChange,
  readOnly,
  testId,
  min,
}: {
  label: string;
  value: number | string | undefined;
  placeholder?: string;
  onChange: (v: string) => void;
  readOnly: boolean;
  testId: string;
  min?: number;
}): ReactElement {
  return (
    <label className="mini-field">
      <span>{label}</span>
      <input
        type="text"
        inputMode="decimal"
        value={value ?? ''}
        placeholder={placeholder}
        disabled={readOnly}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
        aria-label={label}
        min={min}
      />
    </label>
  );
}

/** A number when the text is exactly one ("0.5"), else the text itself ("0.", "500m") for validation to judge. */
function toNumberOr<T>(text: string, fallback: T): number | T {
  const trimmed = text.trim();
  const n = Number(trimmed);
  return trimmed !== '' && Number.isFinite(n) && String(n) === trimmed ? n : fallback;
}

export function PropertiesPanel(): ReactElement {
  // Follows the selection at low priority: grabbing a step to drag it selects it, and building its form
  // must not hold up the first frames of the drag.
  const selected = useDeferredValue(useEditor((s) => s.selectedNodes));
  const nodes = useEditor((s) => s.doc.graph.nodes);
  const lookup = useEditor((s) => s.lookup);
  const readOnly = useEditor((s) => s.readOnly);
  const nodeProblems = useEditor((s) => s.nodeProblems);

  const node = useMemo(() => {
    if (selected.size !== 1) return undefined;
    const [id] = selected;
    return nodes.find((n) => n.id === id);
  }, [selected, nodes]);

  if (selected.size > 1) {
    return <div className="panel-empty">{selected.size} steps selected. Press Delete to remove them, Ctrl+C to copy.</div>;
  }
  if (!node) {
    return (
      <div className="panel-empty">
        Select a step to edit its inputs, resources, retries and timeout.
        <br />
        <br />
        Drag components from the palette, then drag from an output (right) to an input (left) to connect them.
      </div>
    );
  }
  return (
    <MemoNodeProperties
      node={node}
      spec={lookup(node.component_version)}
      problems={nodeProblems.get(node.id) ?? NO_PROBLEMS}
      readOnly={readOnly}
    />
  );
}

interface NodePropertiesProps {
  node: GraphNode;
  spec: ComponentSpec | undefined;
  problems: Problem[];
  readOnly: boolean;
}

/** Equal but for the position, which the panel does not show: dragging the step re-renders nothing here. */
function sameButPosition(a: NodePropertiesProps, b: NodePropertiesProps): boolean {
  if (a.spec !== b.spec || a.problems !== b.problems || a.readOnly !== b.readOnly) return false;
  if (a.node === b.node) return true;
  const keys = new Set([...Object.keys(a.node), ...Object.keys(b.node)]);
  keys.delete('position');
  return [...keys].every((k) => a.node[k as keyof GraphNode] === b.node[k as keyof GraphNode]);
}

function NodeProperties({ node, spec, problems, readOnly }: NodePropertiesProps): ReactElement {
  const store = useEditorStoreApi();
  // What the inputs' "Connect to…" lists are computed from, tracked once here for all of them: the selector
  // runs on every store change (each frame of a drag) but compares identities only, and re-renders this
  // form only when the wiring changes.
  const [wiringOf] = useState(() => nodesIdentity<GraphNode>(WIRING_FIELDS));
  const wiring = useEditor((s) => wiringOf(s.doc.graph.nodes));
  const update = (fn: (n: GraphNode) => GraphNode, key: string): void =>
    store.getState().edit((doc) => updateNode(doc, node.id, fn), { coalesce: `${key}:${node.id}` });
  const setResource = (key: keyof ResourceOverrides, raw: string): void =>
    update((n) => {
      const resources: ResourceOverrides = { ...(n.resources ?? {}) };
      if (raw.trim() === '') delete resources[key];
      else if (key === 'memory') resources.memory = raw.trim();
      else if (key === 'gpu') resources.gpu = toNumberOr(raw, raw as unknown as number);
      else resources.cpu = toNumberOr(raw, raw.trim());
      const next: GraphNode = { ...n, resources };
      if (!Object.keys(resources).length) delete next.resources;
      return next;
    }, `res-${key}`);
  const setInt = (key: 'retries' | 'timeout_seconds', raw: string): void =>
    update((n) => {
      const next = { ...n };
      if (raw.trim() === '') delete next[key];
      else next[key] = toNumberOr(raw, raw as unknown as number);
      return next;
    }, key);
  // Publish problems are shown beside their declaration, input problems beside their input.
  const nodeLevel = problems.filter((p) => !p.field?.includes('.publish[') && (!p.port || !spec?.inputs.some((i) => i.name === p.port)));

  return (
    <div className="properties" data-testid="properties-panel">
      <div className="prop-title">
        <span className="dot" style={{ background: categoryColor(spec?.category) }} />
        <div>
          <div className="prop-name">{spec?.name ?? `Component version ${node.component_version}`}</div>
          <div className="muted small">
            {categoryLabel(spec?.category)} · id <code>{node.id}</code>
          </div>
        </div>
      </div>
      {spec?.description ? <p className="prop-desc">{spec.description}</p> : null}
      <label className="field">
        <span className="field-name">Label</span>
        <input
          type="text"
          value={node.label ?? ''}
          placeholder={spec?.name}
          disabled={readOnly}
          onChange={(e) => store.getState().edit((doc) => renameNodeLabel(doc, node.id, e.target.value), { coalesce: `label:${node.id}` })}
          data-testid="prop-label"
        />
      </label>
      {nodeLevel.map((p, i) => (
        <p key={i} className="field-error" role="alert">
          {p.message}
        </p>
      ))}

      <h4 className="section-title">Inputs</h4>
      {spec?.inputs.length ? (
        spec.inputs.map((port) => <InputEditor key={port.name} node={node} port={port} problems={problems} readOnly={readOnly} wiring={wiring} />)
      ) : (
        <p className="muted small">This component takes no inputs.</p>
      )}
      {spec?.outputs.length ? <OutputsEditor node={node} spec={spec} problems={problems} readOnly={readOnly} /> : null}

      <h4 className="section-title">Resources &amp; execution</h4>
      <div className="mini-grid">
        <NumberField
          label="CPU"
          value={node.resources?.cpu}
          placeholder={String(spec?.resources?.cpu ?? '1')}
          onChange={(v) => setResource('cpu', v)}
          readOnly={readOnly}
          testId="prop-cpu"
        />
        <label className="mini-field">
          <span>Memory</span>
          <input
            type="text"
            value={node.resources?.memory ?? ''}
            placeholder={String(spec?.resources?.memory ?? '1Gi')}
            disabled={readOnly}
            onChange={(e) => setResource('memory', e.target.value)}
            data-testid="prop-memory"
            aria-label="Memory"
          />
        </label>
        <NumberField
          label="GPU"
          value={node.resources?.gpu}
          placeholder={String(spec?.resources?.gpu ?? '0')}
          onChange={(v) => setResource('gpu', v)}
          readOnly={readOnly}
          testId="prop-gpu"
        />
        <NumberField label="Retries" value={node.retries} placeholder="0" onChange={(v) => setInt('retries', v)} readOnly={readOnly} testId="prop-retries" />
        <NumberField
          label="Timeout (s)"
          value={node.timeout_seconds}
          placeholder="none"
          onChange={(v) => setInt('timeout_seconds', v)}
          readOnly={readOnly}
          testId="prop-timeout"
        />
      </div>
    </div>
  );
}

const MemoNodeProperties = memo(NodeProperties, sameButPosition);
