// Graph logic of the pipeline editor: plain TypeScript, no React.
export * from './types';
export * from './portTypes';
export * from './graph';
export * from './connect';
export * from './validate';
export * from './serialize';
export * from './convert';
export * from './ops';
// layout.ts is imported directly (not re-exported) so pages that only need
// types do not pull the layout engine into the first bundle.
export type { Size } from './layout';
