import { memo, useMemo, useState, type DragEvent, type ReactElement } from 'react';
import { describeType, type ComponentSpec } from '../pipeline-core';
import { CATEGORIES, categoryColor, categoryLabel } from './categories';

export const PALETTE_MIME = 'application/x-pipeline-studio-component';

export interface PaletteProps {
  components: ComponentSpec[];
  /** Adds a component at the centre of the view (click or Enter on an item). */
  onAdd: (spec: ComponentSpec) => void;
}

function signature(spec: ComponentSpec): string {
  const ins = spec.inputs.map((p) => `${p.name}: ${describeType(p.type)}`).join(', ');
  const outs = spec.outputs.map((p) => `${p.name}: ${describeType(p.type)}`).join(', ');
  return `(${ins}) → (${outs})`;
}

function PaletteView({ components, onAdd }: PaletteProps): ReactElement {
  const [query, setQuery] = useState('');
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});

  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const match = (c: ComponentSpec): boolean =>
      !q || c.name.toLowerCase().includes(q) || (c.description ?? '').toLowerCase().includes(q) || (c.category ?? '').includes(q);
    const byCat = new Map<string, ComponentSpec[]>();
    for (const c of components.filter(match)) {
      const cat = c.category || 'other';
      byCat.set(cat, [...(byCat.get(cat) ?? []), c]);
    }
    const order = [...CATEGORIES.map((c) => c.id), ...[...byCat.keys()].filter((k) => !CATEGORIES.some((c) => c.id === k))];
    return order
      .filter((cat) => byCat.has(cat))
      .map((cat) => ({ cat, items: byCat.get(cat)!.sort((a, b) => a.name.localeCompare(b.name)) }));
  }, [components, query]);

  const onDragStart = (event: DragEvent, spec: ComponentSpec): void => {
    event.dataTransfer.setData(PALETTE_MIME, String(spec.id));
    event.dataTransfer.setData('text/plain', spec.name);
    event.dataTransfer.effectAllowed = 'copy';
  };

  return (
    <aside className="palette" aria-label="Component palette">
      <div className="palette-search">
        <input
          type="search"
          placeholder="Search components…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label="Search components"
          data-testid="palette-search"
        />
      </div>
      <div className="palette-groups">
        {groups.length === 0 ? <p className="muted small pad">No component matches “{query}”.</p> : null}
        {groups.map(({ cat, items }) => (
          <section key={cat} className="palette-group">
            <button
              type="button"
              className="palette-group-head"
              aria-expanded={!collapsed[cat]}
              onClick={() => setCollapsed((c) => ({ ...c, [cat]: !c[cat] }))}
            >
              <span className="dot" style={{ background: categoryColor(cat) }} />
              {categoryLabel(cat)}
              <span className="count">{items.length}</span>
            </button>
            {collapsed[cat]
              ? null
              : items.map((spec) => (
                  <div
                    key={spec.id}
                    className="palette-item"
                    draggable
                    role="button"
                    tabIndex={0}
                    onDragStart={(e) => onDragStart(e, spec)}
                    onDoubleClick={() => onAdd(spec)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        onAdd(spec);
                      }
                    }}
                    title={`${spec.description ?? ''}\n${signature(spec)}\nDrag onto the canvas, or press Enter to add.`}
                    data-testid={`palette-item-${spec.name}`}
                    aria-label={`Add ${spec.name}`}
                    style={{ borderLeftColor: categoryColor(spec.category) }}
                  >
                    <div className="palette-item-name">{spec.name}</div>
                    <div className="palette-item-io">
                      {spec.inputs.length} in · {spec.outputs.length} out
                      {spec.runnable === false ? <span className="badge warn">not runnable</span> : null}
                    </div>
                  </div>
                ))}
          </section>
        ))}
      </div>
      <p className="palette-hint muted small">Drag a component onto the canvas.</p>
    </aside>
  );
}

export const Palette = memo(PaletteView);
