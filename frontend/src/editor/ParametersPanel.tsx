import type { ReactElement } from 'react';
import { ValueControl } from '../components/ValueControl';
import {
  coerceValue,
  parameterUsers,
  PARAMETER_TYPES,
  renameParameter,
  setParameters,
  type JsonValue,
  type PipelineParameter,
} from '../pipeline-core';
import { useEditor, useEditorStoreApi } from './context';

function nextName(params: PipelineParameter[]): string {
  const names = new Set(params.map((p) => p.name));
  for (let i = 1; ; i++) if (!names.has(`param_${i}`)) return `param_${i}`;
}

export function ParametersPanel(): ReactElement {
  const store = useEditorStoreApi();
  const doc = useEditor((s) => s.doc);
  const readOnly = useEditor((s) => s.readOnly);
  const problems = useEditor((s) => s.problems);
  const params = doc.parameters;

  const edit = (index: number, patch: Partial<PipelineParameter>, key: string): void =>
    store.getState().edit(
      (d) => setParameters(d, d.parameters.map((p, i) => (i === index ? { ...p, ...patch } : p))),
      { coalesce: `param-${key}-${index}` },
    );

  const changeType = (index: number, type: string): void => {
    const current = params[index]!;
    const coerced = coerceValue(type, current.default);
    edit(index, { type, default: coerced.ok ? coerced.value : null }, 'type');
  };

  return (
    <div className="parameters" data-testid="parameters-panel">
      <p className="muted small">
        Pipeline parameters are asked for when a run starts. Bind a step input to one in its properties.
      </p>
      {params.length === 0 ? <p className="panel-empty">No parameters yet.</p> : null}
      {params.map((p, index) => {
        const mine = problems.filter((pr) => pr.field?.startsWith(`parameters[${index}]`));
        const users = parameterUsers(doc, p.name);
        return (
          <div key={index} className={`param-card${mine.length ? ' has-problem' : ''}`} data-testid={`param-${index}`}>
            <div className="param-row">
              <input
                type="text"
                value={p.name}
                disabled={readOnly}
                aria-label="Parameter name"
                data-testid={`param-name-${index}`}
                onChange={(e) =>
                  store.getState().edit((d) => renameParameter(d, d.parameters[index]!.name, e.target.value), {
                    coalesce: `param-name-${index}`,
                  })
                }
              />
              <select
                value={p.type}
                disabled={readOnly}
                aria-label="Parameter type"
                data-testid={`param-type-${index}`}
                onChange={(e) => changeType(index, e.target.value)}
              >
                {(PARAMETER_TYPES.includes(p.type) ? PARAMETER_TYPES : [p.type, ...PARAMETER_TYPES]).map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
              {readOnly ? null : (
                <button
                  type="button"
                  className="icon-btn"
                  title={users.length ? `Used by ${users.map((u) => `${u.node}.${u.input}`).join(', ')}` : 'Remove parameter'}
                  aria-label={`Remove parameter ${p.name}`}
                  onClick={() => store.getState().edit((d) => setParameters(d, d.parameters.filter((_, i) => i !== index)))}
                >
                  ✕
                </button>
              )}
            </div>
            <label className="mini-field wide">
              <span>Default</span>
              <ValueControl
                key={`${index}:${p.type}`}
                type={p.type}
                value={p.default ?? undefined}
                disabled={readOnly}
                label={`Default of ${p.name}`}
                testId={`param-default-${index}`}
                onChange={(v: JsonValue) => edit(index, { default: v }, 'default')}
              />
            </label>
            <input
              type="text"
              className="param-desc"
              value={p.description ?? ''}
              placeholder="Description (optional)"
              disabled={readOnly}
              aria-label="Parameter description"
              onChange={(e) => edit(index, { description: e.target.value }, 'desc')}
            />
            <div className="muted small">{users.length ? `Used by ${users.map((u) => `${u.node}.${u.input}`).join(', ')}` : 'Not used yet'}</div>
            {mine.map((pr, i) => (
              <p key={i} className="field-error" role="alert">
                {pr.message}
              </p>
            ))}
          </div>
        );
      })}
      {readOnly ? null : (
        <button
          type="button"
          className="btn btn-secondary"
          data-testid="add-parameter"
          onClick={() =>
            store.getState().edit((d) => setParameters(d, [...d.parameters, { name: nextName(d.parameters), type: 'String', default: '' }]))
          }
        >
          + Add parameter
        </button>
      )}
    </div>
  );
}
