import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { createContext, memo, useContext, type CSSProperties, type ReactElement } from 'react';
import {
  describeType,
  formatValueText,
  inputHandleId,
  isDatasetBinding,
  isParameterBinding,
  isRequiredInput,
  isValueBinding,
  outputHandleId,
  typeName,
  type Binding,
  type ComponentSpec,
  type GraphNode,
  type PortSpec,
  type Problem,
} from '../pipeline-core';
import { categoryColor, categoryLabel, typeColor } from './categories';

export interface StepData extends Record<string, unknown> {
  node: GraphNode;
  spec: ComponentSpec | undefined;
  problems: Problem[];
  status: string | undefined;
  readOnly: boolean;
  /** Dataset names by id, for the hint of an input bound to a dataset. */
  datasetNames?: ReadonlyMap<number, string>;
}

export type StepFlowNode = Node<StepData, 'component'>;

const EMPTY: Problem[] = [];

/**
 * True when the canvas is zoomed far out (Canvas.tsx LOW_DETAIL_ZOOM): steps then render without
 * per-port DOM (see PortsLowDetail). A context, not a React Flow store selector in every step, so a
 * drag or pan frame runs no extra selector per step; only crossing the threshold re-renders them.
 */
export const LowDetailContext = createContext(false);

const NO_NAMES: ReadonlyMap<number, string> = new Map();

function bindingHint(binding: Binding | undefined, datasetNames: ReadonlyMap<number, string>): string | null {
  if (!binding) return null;
  if (isParameterBinding(binding)) return `{${binding.parameter}}`;
  if (isDatasetBinding(binding)) {
    const name = datasetNames.get(binding.dataset.id) ?? `#${binding.dataset.id}`;
    const v = binding.dataset.version === 'latest' || binding.dataset.version === undefined ? 'latest' : `v${binding.dataset.version}`;
    return `⛁ ${name}@${v}`;
  }
  if (isValueBinding(binding)) {
    const text = formatValueText(binding.value).replace(/\s+/g, ' ');
    return text.length > 14 ? `${text.slice(0, 13)}…` : text || '""';
  }
  return null;
}

function InputRow({
  nodeId,
  port,
  binding,
  invalid,
  connectable,
  datasetNames,
}: {
  nodeId: string;
  port: PortSpec;
  binding: Binding | undefined;
  invalid: boolean;
  connectable: boolean;
  datasetNames: ReadonlyMap<number, string>;
}): ReactElement {
  const type = typeName(port.type);
  const hint = bindingHint(binding, datasetNames);
  const required = isRequiredInput(port);
  return (
    <div className={`port port-in${invalid ? ' port-invalid' : ''}`} title={port.description ?? undefined}>
      <Handle
        type="target"
        position={Position.Left}
        id={inputHandleId(port.name)}
        isConnectable={connectable}
        className="handle"
        style={{ '--port-color': typeColor(type) } as CSSProperties}
        data-testid={`handle-${nodeId}-in-${port.name}`}
        data-port-type={describeType(type)}
      />
      <span className="port-name">
        {port.name}
        {required && !binding ? <span className="port-required" aria-label="required">*</span> : null}
      </span>
      {hint ? (
        <span className="port-hint" title={hint}>
          {hint}
        </span>
      ) : <span className="port-type">{describeType(type)}</span>}
    </div>
  );
}

/**
 * The ports of a step zoomed far out, where their names and types are too small to read: only the
 * handles, as plain elements in the grid of rows the full view uses, so every handle keeps its place
 * to the pixel and React Flow's measured handle positions (and the edges) stay valid across a switch.
 * Plain elements carrying React Flow's handle classes and data attributes are measured as handles,
 * without a React component and a store subscription each (2,500 of them in a 500-step pipeline). A
 * connection cannot be started from them: at this zoom a handle is a couple of pixels wide.
 */
function PortsLowDetail({ nodeId, spec, badPorts }: { nodeId: string; spec: ComponentSpec; badPorts: Set<unknown> }): ReactElement {
  return (
    <div className="step-ports">
      <div className="step-lod-col step-lod-in">
        {spec.inputs.map((port) => (
          <PlainHandle key={port.name} nodeId={nodeId} port={port} side="in" invalid={badPorts.has(port.name)} />
        ))}
      </div>
      <div className="step-lod-col step-lod-out">
        {spec.outputs.map((port) => (
          <PlainHandle key={port.name} nodeId={nodeId} port={port} side="out" invalid={false} />
        ))}
      </div>
    </div>
  );
}

/** One handle of PortsLowDetail: React Flow's handle classes and data attributes on a plain element. */
function PlainHandle({ nodeId, port, side, invalid }: {
  nodeId: string;
  port: PortSpec;
  side: 'in' | 'out';
  invalid: boolean;
}): ReactElement {
  const input = side === 'in';
  const position = input ? Position.Left : Position.Right;
  return (
    <div
      className={`react-flow__handle react-flow__handle-${position} ${input ? 'target' : 'source'} handle${invalid ? ' port-invalid-handle' : ''}`}
      style={{ '--port-color': typeColor(typeName(port.type)) } as CSSProperties}
      data-handleid={input ? inputHandleId(port.name) : outputHandleId(port.name)}
      data-nodeid={nodeId}
      data-handlepos={position}
      data-testid={`handle-${nodeId}-${side}-${port.name}`}
    />
  );
}

function ComponentNodeView({ id, data, selected }: NodeProps<StepFlowNode>): ReactElement {
  const { node, spec, status, readOnly } = data;
  const lowDetail = useContext(LowDetailContext);
  const problems = data.problems ?? EMPTY;
  const badPorts = new Set(problems.map((p) => p.port).filter(Boolean));
  const color = categoryColor(spec?.category);
  const title = node.label || spec?.name || `Unknown component #${node.component_version}`;
  const classes = ['step-node'];
  if (selected) classes.push('selected');
  if (problems.length) classes.push('has-problems');
  if (status) classes.push(`status-${status}`);
  if (!spec) classes.push('unknown');

  return (
    <div
      className={classes.join(' ')}
      style={{ '--cat-color': color } as CSSProperties}
      data-testid={`node-${id}`}
      data-status={status}
      data-invalid={problems.length ? 'true' : undefined}
      aria-label={`Step ${title}`}
    >
      <div className="step-head">
        <span className="step-cat" title={categoryLabel(spec?.category)} />
        <div className="step-titles">
          <div className="step-title">{title}</div>
          <div className="step-sub">{node.label && spec ? spec.name : id}</div>
        </div>
        {status ? (
          <span className={`status-pill status-${status}`} data-testid={`node-status-${id}`}>
            {status}
          </span>
        ) : problems.length ? (
          <span className="step-problems" title={problems.map((p) => p.message).join('\n')} data-testid={`node-problems-${id}`}>
            {problems.length}
          </span>
        ) : null}
      </div>
      {spec && lowDetail ? (
        <PortsLowDetail nodeId={id} spec={spec} badPorts={badPorts} />
      ) : spec ? (
        <div className="step-ports">
          <div className="step-inputs">
            {spec.inputs.map((port) => (
              <InputRow
                key={port.name}
                nodeId={id}
                port={port}
                binding={node.arguments[port.name]}
                invalid={badPorts.has(port.name)}
                connectable={!readOnly}
                datasetNames={data.datasetNames ?? NO_NAMES}
              />
            ))}
          </div>
          <div className="step-outputs">
            {spec.outputs.map((port) => {
              const type = typeName(port.type);
              const published = node.publish?.filter((p) => p.output === port.name) ?? [];
              return (
                <div className="port port-out" key={port.name} title={port.description ?? undefined}>
                  {published.length ? (
                    <span
                      className="port-hint publish-hint"
                      title={`Published to ${published.map((p) => p.dataset).join(', ')}`}
                      data-testid={`publish-hint-${id}-${port.name}`}
                    >
                      ⇪ {published.map((p) => p.dataset).join(', ')}
                    </span>
                  ) : (
                    <span className="port-type">{describeType(type)}</span>
                  )}
                  <span className="port-name">{port.name}</span>
                  <Handle
                    type="source"
                    position={Position.Right}
                    id={outputHandleId(port.name)}
                    isConnectable={!readOnly}
                    className="handle"
                    style={{ '--port-color': typeColor(type) } as CSSProperties}
                    data-testid={`handle-${id}-out-${port.name}`}
                    data-port-type={describeType(type)}
                  />
                </div>
              );
            })}
          </div>
        </div>
      ) : (
        <div className="step-missing">Component version {node.component_version} is not in the catalog.</div>
      )}
    </div>
  );
}

// React Flow also passes a step its position, size, z-index and drag state, which this view does not
// show: comparing only what it shows keeps a drag (a new position every frame) and the measuring of a
// freshly opened pipeline (a size for every step) from re-rendering the steps' contents.
function sameView(a: NodeProps<StepFlowNode>, b: NodeProps<StepFlowNode>): boolean {
  return a.id === b.id && a.data === b.data && a.selected === b.selected;
}

export const ComponentNode = memo(ComponentNodeView, sameView);

// At module scope, so React Flow never sees a new object and re-mounts nodes.
export const nodeTypes = { component: ComponentNode };
