import { useMemo } from 'react';
import { useComponents, useComponentVersions } from '../api/hooks';
import type { ComponentVersion } from '../api/types';
import type { PipelineDocument } from '../pipeline-core';

/** The catalog's latest versions (the palette) plus any other version the graph refers to. */
export function useSpecs(doc: PipelineDocument | null): { palette: ComponentVersion[]; all: ComponentVersion[]; error: Error | null; loading: boolean } {
  const catalog = useComponents();
  const palette = useMemo(() => (catalog.data ?? []).flatMap((c) => (c.latest_version ? [c.latest_version] : [])), [catalog.data]);
  const missing = useMemo(() => {
    if (!doc || !catalog.data) return [];
    const known = new Set(palette.map((v) => v.id));
    return [...new Set(doc.graph.nodes.map((n) => n.component_version))]
      .filter((id) => Number.isInteger(id) && !known.has(id))
      .sort((a, b) => a - b);
  }, [doc, catalog.data, palette]);
  const extra = useComponentVersions(missing);
  const extraKey = extra.data.map((v) => v.id).join(',');
  const all = useMemo(
    () => [...palette, ...extra.data],
    // extra.data is a new array on every render; its ids say when it changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [palette, extraKey],
  );
  return { palette, all, error: catalog.error, loading: catalog.isPending || extra.isLoading };
}
