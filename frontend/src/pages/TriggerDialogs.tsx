// Creating dataset triggers ("run this pipeline on every new version of X, bound to node.input")
// and metric triggers ("start pipeline Y when node.output.key of a run falls under a threshold").
import { useMemo, useState, type ReactElement } from 'react';
import { usePipeline, usePipelines, useDatasets, useSaveDatasetTrigger, useSaveMetricTrigger } from '../api/hooks';
import { COMPARISONS, type Comparison, type DatasetTrigger, type MetricTrigger } from '../api/types';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { invalidParameters, ParameterFields, parameterValues } from '../components/ParameterFields';
import {
  datasetFits,
  describeType,
  isDatasetBinding,
  isValueType,
  typeName,
  type ComponentLookup,
  type JsonValue,
  type PipelineDocument,
} from '../pipeline-core';

interface PortChoice {
  node: string;
  port: string;
  type: string | null;
}

/** Node inputs that can take a dataset version (file inputs), the graph's dataset bindings first. */
export function datasetInputs(doc: PipelineDocument, lookup: ComponentLookup): PortChoice[] {
  const bound: PortChoice[] = [];
  const rest: PortChoice[] = [];
  for (const n of doc.graph.nodes) {
    for (const input of lookup(n.component_version)?.inputs ?? []) {
      const type = typeName(input.type);
      if (type !== null && isValueType(type)) continue;
      (isDatasetBinding(n.arguments[input.name]) ? bound : rest).push({ node: n.id, port: input.name, type });
    }
  }
  return [...bound, ...rest];
}

/** Node outputs a metric can be read from, Metrics outputs first. */
export function metricOutputs(doc: PipelineDocument, lookup: ComponentLookup): PortChoice[] {
  const metrics: PortChoice[] = [];
  const rest: PortChoice[] = [];
  for (const n of doc.graph.nodes) {
    for (const output of lookup(n.component_version)?.outputs ?? []) {
      const type = typeName(output.type);
      (type === 'Metrics' ? metrics : rest).push({ node: n.id, port: output.name, type });
    }
  }
  return [...metrics, ...rest];
}

/** node ids cannot contain "/", so "node/port" is unambiguous. */
const key = (c: PortChoice): string => `${c.node}/${c.port}`;

export function DatasetTriggerDialog({
  pipelineId,
  doc,
  lookup,
  onClose,
  onSaved,
}: {
  pipelineId: number;
  /** The pipeline's newest saved version: the one a trigger runs. */
  doc: PipelineDocument;
  lookup: ComponentLookup;
  onClose: () => void;
  onSaved: (t: DatasetTrigger) => void;
}): ReactElement {
  const datasets = useDatasets();
  const choices = useMemo(() => datasetInputs(doc, lookup), [doc, lookup]);
  const firstBound = choices.map((c) => doc.graph.nodes.find((n) => n.id === c.node)?.arguments[c.port]).find(isDatasetBinding);
  const [dataset, setDataset] = useState<number | null>(firstBound ? firstBound.dataset.id : null);
  const [target, setTarget] = useState<string>(choices[0] ? key(choices[0]) : '');
  const [values, setValues] = useState<Record<string, JsonValue>>(() => parameterValues(doc.parameters));
  const [debounce, setDebounce] = useState('0');
  const [enabled, setEnabled] = useState(true);
  const [name, setName] = useState('');
  const save = useSaveDatasetTrigger();

  const chosenDataset = datasets.data?.find((d) => d.id === dataset);
  const chosen = choices.find((c) => key(c) === target);
  const kindMismatch = chosen && chosenDataset && !datasetFits(chosenDataset.kind, chosen.type);
  const badParams = invalidParameters(doc.parameters, values);
  const debounceOk = /^\d+$/.test(debounce.trim());
  const canSave = dataset !== null && !!chosen && !kindMismatch && !badParams.length && debounceOk && !save.isPending;

  const submit = (): void => {
    if (!canSave || !chosen || dataset === null) return;
    save.mutate(
      {
        id: null,
        body: {
          pipeline: pipelineId,
          dataset,
          node: chosen.node,
          input: chosen.port,
          name: name.trim(),
          parameters: values,
          enabled,
          debounce_seconds: Number(debounce),
        },
      },
      { onSuccess: onSaved },
    );
  };

  return (
    <Dialog
      title="Run on every new dataset version"
      onClose={onClose}
      testId="dataset-trigger-dialog"
      wide
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={!canSave} onClick={submit} data-testid="dtrigger-save">
            {save.isPending ? 'Saving…' : 'Create trigger'}
          </button>
        </>
      }
    >
      <p className="muted small">
        Each new version of the dataset (uploaded, registered or published by a step) starts one run of this pipeline’s newest saved
        version, with that version bound to the input you choose.
      </p>
      {!choices.length ? (
        <p className="warn-text">No step of the saved pipeline has a file input (Dataset, Model, File or untyped) to receive a version.</p>
      ) : null}
      <div className="form-grid">
        <label className="field">
          <span className="field-name">Dataset</span>
          <select value={dataset ?? ''} onChange={(e) => setDataset(e.target.value ? Number(e.target.value) : null)} data-testid="dtrigger-dataset">
            <option value="">Choose a dataset…</option>
            {datasets.data?.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.kind}
                {d.latest_version ? `, v${d.latest_version.number}` : ', no versions'})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-name">Input that receives the version</span>
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="dtrigger-input">
            {choices.map((c) => (
              <option key={key(c)} value={key(c)}>
                {c.node}.{c.port} ({describeType(c.type)})
                {chosenDataset && !datasetFits(chosenDataset.kind, c.type) ? ' — incompatible' : ''}
              </option>
            ))}
          </select>
          {kindMismatch ? (
            <span className="field-error">
              {chosen.node}.{chosen.port} expects {describeType(chosen.type)}; “{chosenDataset.name}” holds {chosenDataset.kind}s.
            </span>
          ) : null}
        </label>
      </div>
      <div className="form-grid">
        <label className="field">
          <span className="field-name">Debounce (seconds)</span>
          <input
            type="number"
            min={0}
            value={debounce}
            onChange={(e) => setDebounce(e.target.value)}
            aria-invalid={!debounceOk || undefined}
            data-testid="dtrigger-debounce"
          />
          <span className="field-help">0 runs every version; N waits N seconds and runs only the newest of a burst.</span>
        </label>
        <label className="field">
          <span className="field-name">Name (optional)</span>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="dtrigger-name" />
        </label>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} data-testid="dtrigger-enabled" />
        <span>Enabled</span>
      </label>
      <h4 className="section-title">Parameters of each run</h4>
      <ParameterFields parameters={doc.parameters} values={values} onChange={setValues} testIdPrefix="dtrigger-param" />
      <ErrorMessage error={save.error} title="Not created" />
    </Dialog>
  );
}

export function MetricTriggerDialog({
  pipelineId,
  doc,
  lookup,
  onClose,
  onSaved,
}: {
  pipelineId: number;
  doc: PipelineDocument;
  lookup: ComponentLookup;
  onClose: () => void;
  onSaved: (t: MetricTrigger) => void;
}): ReactElement {
  const pipelines = usePipelines();
  const choices = useMemo(() => metricOutputs(doc, lookup), [doc, lookup]);
  const [source, setSource] = useState(choices[0] ? key(choices[0]) : '');
  const [metricKey, setMetricKey] = useState('accuracy');
  const [comparison, setComparison] = useState<Comparison>('<');
  const [threshold, setThreshold] = useState('0.9');
  const [targetId, setTargetId] = useState<number | null>(null);
  const target = usePipeline(targetId);
  const targetParams = useMemo(() => target.data?.latest_version?.parameters ?? [], [target.data]);
  const [values, setValues] = useState<Record<string, JsonValue>>({});
  const [valuesFor, setValuesFor] = useState<number | null>(null);
  if (target.data && valuesFor !== target.data.id) {
    setValuesFor(target.data.id);
    setValues(parameterValues(targetParams));
  }
  const [enabled, setEnabled] = useState(true);
  const [name, setName] = useState('');
  const save = useSaveMetricTrigger();

  const chosen = choices.find((c) => key(c) === source);
  const metric = chosen ? `${chosen.node}.${chosen.port}.${metricKey.trim()}` : '';
  const thresholdOk = threshold.trim() !== '' && Number.isFinite(Number(threshold));
  const badParams = target.data ? invalidParameters(targetParams, values) : [];
  const canSave = !!chosen && !!metricKey.trim() && thresholdOk && targetId !== null && !!target.data && !badParams.length && !save.isPending;

  const submit = (): void => {
    if (!canSave || targetId === null) return;
    save.mutate(
      {
        id: null,
        body: {
          source_pipeline: pipelineId,
          metric,
          comparison,
          threshold: Number(threshold),
          target_pipeline: targetId,
          name: name.trim(),
          parameters: values,
          enabled,
        },
      },
      { onSuccess: onSaved },
    );
  };

  return (
    <Dialog
      title="Start a pipeline when a metric crosses a threshold"
      onClose={onClose}
      testId="metric-trigger-dialog"
      wide
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={!canSave} onClick={submit} data-testid="mtrigger-save">
            {save.isPending ? 'Saving…' : 'Create trigger'}
          </button>
        </>
      }
    >
      <p className="muted small">
        When a run of this pipeline completes, the value is read from the chosen output (a flat JSON object of metrics). If the comparison
        holds, the target pipeline starts, once per run.
      </p>
      <div className="form-grid">
        <label className="field">
          <span className="field-name">Output</span>
          <select value={source} onChange={(e) => setSource(e.target.value)} data-testid="mtrigger-output">
            {choices.map((c) => (
              <option key={key(c)} value={key(c)}>
                {c.node}.{c.port} ({describeType(c.type)})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-name">Key in the output</span>
          <input type="text" className="mono" value={metricKey} onChange={(e) => setMetricKey(e.target.value)} placeholder="accuracy" data-testid="mtrigger-key" />
        </label>
      </div>
      <div className="form-grid three">
        <label className="field">
          <span className="field-name">Comparison</span>
          <select value={comparison} onChange={(e) => setComparison(e.target.value as Comparison)} data-testid="mtrigger-comparison">
            {COMPARISONS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-name">Threshold</span>
          <input
            type="number"
            step="any"
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
            aria-invalid={!thresholdOk || undefined}
            data-testid="mtrigger-threshold"
          />
        </label>
        <label className="field">
          <span className="field-name">Then start</span>
          <select value={targetId ?? ''} onChange={(e) => setTargetId(e.target.value ? Number(e.target.value) : null)} data-testid="mtrigger-target">
            <option value="">Choose a pipeline…</option>
            {pipelines.data
              ?.filter((p) => p.id !== pipelineId)
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
          </select>
        </label>
      </div>
      {metric ? (
        <p className="rule-preview" data-testid="mtrigger-rule">
          When <code>{metric}</code> {comparison} {thresholdOk ? Number(threshold) : '…'}, start {target.data?.name ?? '…'}.
        </p>
      ) : null}
      <div className="form-grid">
        <label className="field">
          <span className="field-name">Name (optional)</span>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="mtrigger-name" />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          <span>Enabled</span>
        </label>
      </div>
      <h4 className="section-title">Parameters of the target’s runs</h4>
      {target.data ? (
        <ParameterFields parameters={targetParams} values={values} onChange={setValues} testIdPrefix="mtrigger-param" empty="The target pipeline has no parameters." />
      ) : (
        <p className="muted small">Choose the pipeline to start.</p>
      )}
      <ErrorMessage error={save.error} title="Not created" />
    </Dialog>
  );
}
