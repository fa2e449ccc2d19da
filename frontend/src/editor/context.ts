import { createContext, useContext } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { EditorState } from './store';

export const EditorStoreContext = createContext<StoreApi<EditorState> | null>(null);

export function useEditorStoreApi(): StoreApi<EditorState> {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error('useEditor must be used inside <PipelineEditor>');
  return store;
}

/** Selects a slice of the editor store of the nearest <PipelineEditor>. */
export function useEditor<T>(selector: (state: EditorState) => T): T {
  return useStore(useEditorStoreApi(), selector);
}
