// Pure edits of a document. Each returns a new document and leaves untouched
// nodes as the same objects, so memoised canvas nodes do not re-render.
import type { ConnectionRequest } from './connect';
import {
  isFromBinding,
  isParameterBinding,
  type Binding,
  type ComponentSpec,
  type GraphNode,
  type PipelineDocument,
  type PipelineParameter,
  type Position,
  type PublishSpec,
} from './types';

function withNodes(doc: PipelineDocument, nodes: GraphNode[]): PipelineDocument {
  return { ...doc, graph: { ...doc.graph, nodes } };
}

export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug || 'step';
}

/** `base`, or `base-2`, `base-3`, … : the first id not in use. */
export function uniqueNodeId(taken: Iterable<string>, base: string): string {
  const used = new Set(taken);
  const root = slugify(base);
  if (!used.has(root)) return root;
  const stem = root.replace(/-\d+$/, '');
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}`;
    if (!used.has(candidate)) return candidate;
  }
}

export function addNode(
  doc: PipelineDocument,
  spec: ComponentSpec,
  position: Position,
): { doc: PipelineDocument; id: string } {
  const id = uniqueNodeId(
    doc.graph.nodes.map((n) => n.id),
    spec.name,
  );
  const node: GraphNode = { id, component_version: spec.id, position: { x: position.x, y: position.y }, arguments: {} };
  return { doc: withNodes(doc, [...doc.graph.nodes, node]), id };
}

/** Removes nodes, and every binding that read from them. */
export function removeNodes(doc: PipelineDocument, ids: Iterable<string>): PipelineDocument {
  const gone = new Set(ids);
  if (!gone.size) return doc;
  const nodes = doc.graph.nodes
    .filter((n) => !gone.has(n.id))
    .map((n) => {
      const dangling = Object.entries(n.arguments).filter(([, b]) => isFromBinding(b) && gone.has(b.from.node));
      if (!dangling.length) return n;
      const args = { ...n.arguments };
      for (const [name] of dangling) delete args[name];
      return { ...n, arguments: args };
    });
  return withNodes(doc, nodes);
}

export function updateNode(doc: PipelineDocument, id: string, update: (node: GraphNode) => GraphNode): PipelineDocument {
  let changed = false;
  const nodes = doc.graph.nodes.map((n) => {
    if (n.id !== id) return n;
    const next = update(n);
    if (next !== n) changed = true;
    return next;
  });
  return changed ? withNodes(doc, nodes) : doc;
}

/** Sets (or, with `undefined`, removes) the binding of one input. */
export function setArgument(doc: PipelineDocument, id: string, input: string, binding: Binding | undefined): PipelineDocument {
  return updateNode(doc, id, (n) => {
    const args = { ...n.arguments };
    if (binding === undefined) delete args[input];
    else args[input] = binding;
    return { ...n, arguments: args };
  });
}

/** Binds `input` of `target` to `output` of `source` (replacing a constant or parameter). */
export function connect(doc: PipelineDocument, req: ConnectionRequest): PipelineDocument {
  return setArgument(doc, req.target, req.input, { from: { node: req.source, output: req.output } });
}

/** Removes the connections into the given (node, input) pairs. */
export function disconnect(doc: PipelineDocument, targets: Array<{ target: string; input: string }>): PipelineDocument {
  let next = doc;
  for (const { target, input } of targets) {
    const node = next.graph.nodes.find((n) => n.id === target);
    if (node && isFromBinding(node.arguments[input])) next = setArgument(next, target, input, undefined);
  }
  return next;
}

export function moveNodes(doc: PipelineDocument, positions: Map<string, Position>): PipelineDocument {
  if (!positions.size) return doc;
  let changed = false;
  const nodes = doc.graph.nodes.map((n) => {
    const p = positions.get(n.id);
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    changed = true;
    return { ...n, position: { x: p.x, y: p.y } };
  });
  return changed ? withNodes(doc, nodes) : doc;
}

export function renameNodeLabel(doc: PipelineDocument, id: string, label: string): PipelineDocument {
  return updateNode(doc, id, (n) => {
    const next = { ...n };
    if (label.trim()) next.label = label;
    else delete next.label;
    return next;
  });
}

/** A copied selection: the nodes, with bindings to nodes outside the copy kept as they are. */
export interface Fragment {
  nodes: GraphNode[];
}

export function copyNodes(doc: PipelineDocument, ids: Iterable<string>): Fragment {
  const wanted = new Set(ids);
  return { nodes: structuredClone(doc.graph.nodes.filter((n) => wanted.has(n.id))) };
}

/**
 * Pastes a fragment with fresh ids, shifted by `offset`. Connections inside
 * the fragment follow the new ids; connections to steps outside it are kept
 * when that step still exists, dropped otherwise.
 */
export function pasteFragment(
  doc: PipelineDocument,
  fragment: Fragment,
  offset: Position,
): { doc: PipelineDocument; ids: string[] } {
  const taken = new Set(doc.graph.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  for (const n of fragment.nodes) {
    const id = uniqueNodeId(taken, n.id);
    taken.add(id);
    rename.set(n.id, id);
  }
  const existing = new Set(doc.graph.nodes.map((n) => n.id));
  const pasted = fragment.nodes.map((n): GraphNode => {
    const args: Record<string, Binding> = {};
    for (const [name, b] of Object.entries(n.arguments)) {
      if (isFromBinding(b)) {
        const inside = rename.get(b.from.node);
        if (inside) args[name] = { from: { node: inside, output: b.from.output } };
        else if (existing.has(b.from.node)) args[name] = { from: { ...b.from } };
      } else {
        args[name] = structuredClone(b);
      }
    }
    return {
      ...structuredClone(n),
      id: rename.get(n.id)!,
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
      arguments: args,
    };
  });
  return { doc: withNodes(doc, [...doc.graph.nodes, ...pasted]), ids: pasted.map((n) => n.id) };
}

export function setParameters(doc: PipelineDocument, parameters: PipelineParameter[]): PipelineDocument {
  return { ...doc, parameters };
}

/** Renames a pipeline parameter and every binding that uses it. */
export function renameParameter(doc: PipelineDocument, from: string, to: string): PipelineDocument {
  if (from === to) return doc;
  const parameters = doc.parameters.map((p) => (p.name === from ? { ...p, name: to } : p));
  const nodes = doc.graph.nodes.map((n) => {
    const uses = Object.entries(n.arguments).filter(([, b]) => isParameterBinding(b) && b.parameter === from);
    if (!uses.length) return n;
    const args = { ...n.arguments };
    for (const [name] of uses) args[name] = { parameter: to };
    return { ...n, arguments: args };
  });
  return { graph: { ...doc.graph, nodes }, parameters };
}

/** Nodes whose inputs use the parameter `name`. */
export function parameterUsers(doc: PipelineDocument, name: string): Array<{ node: string; input: string }> {
  const users: Array<{ node: string; input: string }> = [];
  for (const n of doc.graph.nodes) {
    for (const [input, b] of Object.entries(n.arguments)) {
      if (isParameterBinding(b) && b.parameter === name) users.push({ node: n.id, input });
    }
  }
  return users;
}

/** Replaces the publish declarations of a node (an empty list removes the field). */
export function setPublish(doc: PipelineDocument, id: string, publish: PublishSpec[]): PipelineDocument {
  return updateNode(doc, id, (n) => {
    const next = { ...n };
    if (publish.length) next.publish = publish;
    else delete next.publish;
    return next;
  });
}
