import type { ReactElement } from 'react';
import { coerceValue, type JsonValue, type PipelineParameter } from '../pipeline-core';
import { ValueControl } from './ValueControl';

/** Values for `parameters`: what `existing` sets, else each parameter's default. */
export function parameterValues(parameters: readonly PipelineParameter[], existing: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  return Object.fromEntries(parameters.map((p) => [p.name, p.name in existing ? existing[p.name]! : (p.default ?? null)]));
}

/** Names of the parameters whose value does not fit its type (or is missing). */
export function invalidParameters(parameters: readonly PipelineParameter[], values: Record<string, JsonValue>): string[] {
  return parameters
    .filter((p) => {
      const v = values[p.name];
      return !coerceValue(p.type, v).ok || v === null || v === undefined || (v === '' && p.type !== 'String');
    })
    .map((p) => p.name);
}

/** One typed control per pipeline parameter (the run dialog's, for schedules and triggers). */
export function ParameterFields({
  parameters,
  values,
  onChange,
  testIdPrefix,
  empty = 'This pipeline has no parameters.',
}: {
  parameters: readonly PipelineParameter[];
  values: Record<string, JsonValue>;
  onChange: (values: Record<string, JsonValue>) => void;
  testIdPrefix: string;
  empty?: string;
}): ReactElement {
  if (!parameters.length) return <p className="muted small">{empty}</p>;
  return (
    <div className="param-fields">
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
              onChange={(v) => onChange({ ...values, [p.name]: v })}
              label={p.name}
              testId={`${testIdPrefix}-${p.name}`}
              invalid={!check.ok}
            />
            {!check.ok ? <span className="field-error">{check.reason}</span> : null}
          </label>
        );
      })}
    </div>
  );
}
