import { useReactFlow } from '@xyflow/react';
import type { ReactElement } from 'react';
import type { Problem } from '../pipeline-core';
import { useEditor, useEditorStoreApi } from './context';

export function ProblemsList({ problems, onPick }: { problems: Problem[]; onPick?: (p: Problem) => void }): ReactElement {
  if (!problems.length) {
    return (
      <p className="ok-text" data-testid="no-problems">
        ✓ No problems found.
      </p>
    );
  }
  return (
    <ul className="problem-list" data-testid="problem-list">
      {problems.map((p, i) => (
        <li key={i} data-code={p.code}>
          <button type="button" className="problem" onClick={() => onPick?.(p)} disabled={!onPick || !p.node}>
            <span className="problem-code">{p.code}</span>
            <span className="problem-msg">{p.message}</span>
            {p.node ? (
              <span className="problem-where">
                {p.node}
                {p.port ? `.${p.port}` : ''}
              </span>
            ) : p.field ? (
              <span className="problem-where">{p.field}</span>
            ) : null}
          </button>
        </li>
      ))}
    </ul>
  );
}

export function ProblemsPanel(): ReactElement {
  const problems = useEditor((s) => s.problems);
  const store = useEditorStoreApi();
  const { getInternalNode, setCenter, getZoom } = useReactFlow();
  const pick = (p: Problem): void => {
    if (!p.node) return;
    store.getState().select([p.node]);
    const n = getInternalNode(p.node);
    if (n) {
      const w = n.measured.width ?? 240;
      const h = n.measured.height ?? 100;
      void setCenter(n.internals.positionAbsolute.x + w / 2, n.internals.positionAbsolute.y + h / 2, {
        zoom: Math.max(getZoom(), 0.8),
        duration: 300,
      });
    }
  };
  return (
    <div className="problems-panel">
      <ProblemsList problems={problems} onPick={pick} />
    </div>
  );
}
