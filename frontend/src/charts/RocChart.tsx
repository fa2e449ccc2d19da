import type { ReactElement } from 'react';

export interface RocCurve {
  label: string;
  fpr: number[];
  tpr: number[];
  auc: number | null;
}

const COLORS = ['#4f46e5', '#ea580c', '#16a34a', '#db2777', '#0891b2', '#a16207', '#7c3aed', '#dc2626'];

/** ROC curves on a unit square, with the chance diagonal and a legend with AUC. */
export function RocChart({ curves, size = 260 }: { curves: RocCurve[]; size?: number }): ReactElement {
  const pad = { left: 46, right: 10, top: 10, bottom: 34 };
  const w = size;
  const h = size;
  const x = (v: number): number => pad.left + v * (w - pad.left - pad.right);
  const y = (v: number): number => h - pad.bottom - v * (h - pad.top - pad.bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <figure className="chart roc" data-testid="roc-chart">
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label="ROC curve">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={y(0)} y2={y(1)} className="grid" />
            <line x1={x(0)} x2={x(1)} y1={y(t)} y2={y(t)} className="grid" />
            <text x={x(t)} y={h - pad.bottom + 14} textAnchor="middle" className="tick">
              {t}
            </text>
            <text x={pad.left - 6} y={y(t) + 3} textAnchor="end" className="tick">
              {t}
            </text>
          </g>
        ))}
        <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} className="chance" />
        <rect x={x(0)} y={y(1)} width={x(1) - x(0)} height={y(0) - y(1)} className="frame" />
        {curves.map((c, i) => {
          const n = Math.min(c.fpr.length, c.tpr.length);
          const points = Array.from({ length: n }, (_, k) => `${x(c.fpr[k]!).toFixed(1)},${y(c.tpr[k]!).toFixed(1)}`).join(' ');
          return <polyline key={i} points={points} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth={2} />;
        })}
        <text x={(x(0) + x(1)) / 2} y={h - 4} textAnchor="middle" className="axis-label">
          False positive rate
        </text>
        <text x={9} y={(y(0) + y(1)) / 2} textAnchor="middle" className="axis-label" transform={`rotate(-90 9 ${(y(0) + y(1)) / 2})`}>
          True positive rate
        </text>
      </svg>
      <figcaption className="legend">
        {curves.map((c, i) => (
          <span key={i} className="legend-item">
            <span className="swatch" style={{ background: COLORS[i % COLORS.length] }} />
            {c.label}
            {c.auc !== null && c.auc !== undefined ? <strong> AUC {c.auc.toFixed(3)}</strong> : null}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
