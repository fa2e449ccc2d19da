// Category colours and labels, shared by the palette, the catalog and nodes.
export const CATEGORIES: Array<{ id: string; label: string; color: string }> = [
  { id: 'data-ingest', label: 'Data ingest', color: '#2563eb' },
  { id: 'data-processing', label: 'Data processing', color: '#0d9488' },
  { id: 'training', label: 'Training', color: '#7c3aed' },
  { id: 'evaluation', label: 'Evaluation', color: '#ea580c' },
  { id: 'batch-inference', label: 'Batch inference', color: '#16a34a' },
  { id: 'hyperparameter-search', label: 'Hyperparameter search', color: '#db2777' },
  { id: 'test', label: 'Test', color: '#64748b' },
  { id: 'other', label: 'Other', color: '#475569' },
];

const BY_ID = new Map(CATEGORIES.map((c) => [c.id, c]));

export function categoryColor(category: string | null | undefined): string {
  return BY_ID.get(category ?? '')?.color ?? '#475569';
}

export function categoryLabel(category: string | null | undefined): string {
  return BY_ID.get(category ?? '')?.label ?? (category || 'Other');
}

const TYPE_COLORS: Record<string, string> = {
  String: '#64748b',
  Integer: '#0891b2',
  Float: '#0284c7',
  Boolean: '#a16207',
  JSON: '#9333ea',
  Dataset: '#2563eb',
  Model: '#7c3aed',
  Metrics: '#ea580c',
  ConfusionMatrix: '#dc2626',
  ROC: '#e11d48',
  Table: '#0d9488',
  Markdown: '#4b5563',
  File: '#334155',
};

export function typeColor(type: string | null | undefined): string {
  return (type && TYPE_COLORS[type]) || '#94a3b8';
}
