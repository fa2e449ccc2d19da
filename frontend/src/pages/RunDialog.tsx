import { useState, type ReactElement } from 'react';
import { useNavigate } from 'react-router-dom';
import { useStartRun } from '../api/hooks';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { ValueControl } from '../components/ValueControl';
import { coerceValue, type JsonValue, type PipelineParameter } from '../pipeline-core';

export interface RunDialogProps {
  pipelineId: number;
  parameters: PipelineParameter[];
  /** Run this saved version; the latest when absent. */
  version?: number;
  versionLabel: string;
  /** Set when the editor has unsaved changes: offers to save first. */
  onSaveFirst?: () => Promise<boolean>;
  onClose: () => void;
}

/** Asks for pipeline parameters (defaults filled in), starts a run and opens it. */
export function RunDialog({ pipelineId, parameters, version, versionLabel, onSaveFirst, onClose }: RunDialogProps): ReactElement {
  const [values, setValues] = useState<Record<string, JsonValue>>(() =>
    Object.fromEntries(parameters.map((p) => [p.name, p.default ?? null])),
  );
  const start = useStartRun();
  const navigate = useNavigate();
  const invalid = parameters
    .map((p) => ({ p, check: coerceValue(p.type, values[p.name]) }))
    .filter(({ p, check }) => !check.ok || values[p.name] === null || (values[p.name] === '' && p.type !== 'String'));

  const run = async (): Promise<void> => {
    if (onSaveFirst && !(await onSaveFirst())) return;
    start.mutate(
      { pipeline: pipelineId, parameters: values, version },
      { onSuccess: (r) => navigate(`/runs/${r.id}`) },
    );
  };

  return (
    <Dialog
      title="Run pipeline"
      onClose={onClose}
      testId="run-dialog"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void run()}
            disabled={start.isPending || invalid.length > 0}
            data-testid="run-start"
          >
            {start.isPending ? 'Starting…' : onSaveFirst ? 'Save and start run' : 'Start run'}
          </button>
        </>
      }
    >
      <p className="muted small">
        Runs {versionLabel}.
        {onSaveFirst ? ' Your unsaved changes will be saved as a new version first.' : ''}
      </p>
      {parameters.length === 0 ? <p className="muted">This pipeline has no parameters.</p> : null}
      {parameters.map((p) => {
        const check = coerceValue(p.type, values[p.name]);
        return (
          <label className="field" key={p.name}>
            <span className="field-name">
              {p.name} <span className="type-badge">{p.type}</span>
            </span>
            {p.description ? <span className="field-help">{p.description}</span> : null}
            <ValueControl
              type={p.type}
              value={values[p.name] ?? undefined}
              onChange={(v) => setValues((old) => ({ ...old, [p.name]: v }))}
              label={p.name}
              testId={`run-param-${p.name}`}
              invalid={!check.ok}
            />
            {!check.ok ? <span className="field-error">{check.reason}</span> : null}
          </label>
        );
      })}
      <ErrorMessage error={start.error} title="The run did not start" />
    </Dialog>
  );
}
