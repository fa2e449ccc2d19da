import { useMemo, type ReactElement } from 'react';
import { typedDefault, ValueControl } from '../components/ValueControl';
import {
  describeType,
  isFromBinding,
  isParameterBinding,
  isRequiredInput,
  isValueBinding,
  isValueType,
  parameterFits,
  renameNodeLabel,
  typeName,
  setArgument,
  updateNode,
  type Binding,
  type GraphNode,
  type JsonValue,
  type PipelineParameter,
  type PortSpec,
  type Problem,
  type ResourceOverrides,
} from '../pipeline-core';
import { categoryColor, categoryLabel } from './categories';
import { useEditor, useEditorStoreApi } from './context';

type Mode = 'default' | 'value' | 'parameter' | 'connection';

function modeOf(binding: Binding | undefined): Mode {
  if (!binding) return 'default';
  if (isFromBinding(binding)) return 'connection';
  if (isParameterBinding(binding)) return 'parameter';
  return 'value';
}

const NEW_PARAMETER = '__new__';

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
}: {
  node: GraphNode;
  port: PortSpec;
  problems: Problem[];
  readOnly: boolean;
}): ReactElement {
  const store = useEditorStoreApi();
  const parameters = useEditor((s) => s.doc.parameters);
  const binding = node.arguments[port.name];
  const mode = modeOf(binding);
  const required = isRequiredInput(port);
  const mine = problems.filter((p) => p.port === port.name);
  const fieldId = `prop-${node.id}-${port.name}`;
  // Artifact inputs (Dataset, Model, …) only come from upstream outputs.
  const artifact = port.type !== null && !isValueType(typeName(port.type));

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
          {mode === 'connection' ? <option value="connection">Connection</option> : null}
        </select>
      </div>
      {port.description ? <p className="field-help">{port.description}</p> : null}
      {artifact && mode === 'default' ? (
        <p className="field-help">Connect an output of type {describeType(port.type)} to this input on the canvas.</p>
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
  const store = useEditorStoreApi();
  const selected = useEditor((s) => s.selectedNodes);
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
  const spec = lookup(node.component_version);
  const problems = nodeProblems.get(node.id) ?? [];
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
  const nodeLevel = problems.filter((p) => !p.port || !spec?.inputs.some((i) => i.name === p.port));

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
        spec.inputs.map((port) => <InputEditor key={port.name} node={node} port={port} problems={problems} readOnly={readOnly} />)
      ) : (
        <p className="muted small">This component takes no inputs.</p>
      )}
      {spec?.outputs.length ? (
        <>
          <h4 className="section-title">Outputs</h4>
          <ul className="output-list">
            {spec.outputs.map((o) => (
              <li key={o.name}>
                <code>{o.name}</code> <span className="type-badge">{describeType(o.type)}</span>
                {o.description ? <span className="muted small"> {o.description}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}

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
