import type { ReactElement } from 'react';

/**
 * A confusion matrix as a heatmap: rows are true labels, columns predicted
 * ones. Cell colour is the share of its row, so classes of different sizes
 * compare fairly; the count is written in the cell.
 */
export function ConfusionMatrix({ labels, matrix }: { labels: string[]; matrix: number[][] }): ReactElement {
  const n = labels.length;
  const cell = n > 12 ? 26 : n > 6 ? 36 : 48;
  const left = Math.min(110, 14 + Math.max(...labels.map((l) => l.length), 4) * 7);
  const top = 34;
  const width = left + n * cell + 4;
  const height = top + n * cell + 26;
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  return (
    <figure className="chart confusion" data-testid="confusion-matrix">
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label="Confusion matrix">
        <text x={left + (n * cell) / 2} y={12} textAnchor="middle" className="axis-label">
          Predicted
        </text>
        {labels.map((l, j) => (
          <text key={`c${j}`} x={left + j * cell + cell / 2} y={top - 6} textAnchor="middle" className="tick">
            {l.length > 8 ? `${l.slice(0, 7)}…` : l}
          </text>
        ))}
        {labels.map((l, i) => (
          <text key={`r${i}`} x={left - 6} y={top + i * cell + cell / 2 + 4} textAnchor="end" className="tick">
            {l.length > 14 ? `${l.slice(0, 13)}…` : l}
          </text>
        ))}
        {matrix.map((row, i) =>
          row.map((v, j) => {
            const share = rowSums[i] ? v / rowSums[i]! : 0;
            const diagonal = i === j;
            const hue = diagonal ? '79, 70, 229' : '225, 29, 72';
            return (
              <g key={`${i}-${j}`}>
                <rect
                  x={left + j * cell}
                  y={top + i * cell}
                  width={cell - 2}
                  height={cell - 2}
                  rx={3}
                  fill={`rgba(${hue}, ${v === 0 ? 0.04 : 0.12 + share * 0.88})`}
                  data-testid={`cm-cell-${i}-${j}`}
                >
                  <title>{`true ${labels[i]}, predicted ${labels[j]}: ${v} (${(share * 100).toFixed(1)}% of row)`}</title>
                </rect>
                <text
                  x={left + j * cell + (cell - 2) / 2}
                  y={top + i * cell + (cell - 2) / 2 + 4}
                  textAnchor="middle"
                  className="cell-text"
                  fill={share > 0.5 ? '#fff' : '#0f172a'}
                >
                  {v}
                </text>
              </g>
            );
          }),
        )}
        <text x={12} y={top + (n * cell) / 2} textAnchor="middle" className="axis-label" transform={`rotate(-90 12 ${top + (n * cell) / 2})`}>
          True
        </text>
      </svg>
    </figure>
  );
}
