// Read-only lineage canvas: dataset versions → runs that read them → versions they produced.
import {
  Background,
  BackgroundVariant,
  Controls,
  Handle,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useCallback, useMemo, type MouseEvent, type ReactElement } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Lineage } from '../api/types';
import { formatBytes } from '../components/format';
import { LINEAGE_NODE_SIZE, layoutLineage, type RunNodeData, type VersionNodeData } from './layout';

type VersionFlowNode = Node<VersionNodeData, 'version'>;
type RunFlowNode = Node<RunNodeData, 'run'>;
type LineageNode = VersionFlowNode | RunFlowNode;

function VersionNodeView({ data }: NodeProps<VersionFlowNode>): ReactElement {
  const v = data.version;
  return (
    <div
      className={`lineage-node lineage-version kind-${v.kind}${data.focus ? ' focus' : ''}`}
      data-testid={`lineage-version-${v.dataset_name}-${v.number}`}
      title={v.uri}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="lineage-handle" />
      <div className="lineage-title">
        <span className="lineage-icon" aria-hidden>
          {v.kind === 'model' ? '◆' : '⛁'}
        </span>
        <span className="lineage-name" title={v.dataset_name}>
          {v.dataset_name}
        </span>
        <span className="lineage-badge">v{v.number}</span>
      </div>
      <div className="lineage-sub">
        {v.kind} · {v.sha256 ? v.sha256.slice(0, 10) : 'external'} · {formatBytes(v.size)}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} className="lineage-handle" />
    </div>
  );
}

function RunNodeView({ data }: NodeProps<RunFlowNode>): ReactElement {
  const r = data.run;
  return (
    <div className={`lineage-node lineage-run status-${r.status}`} data-testid={`lineage-run-${r.run_id}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} className="lineage-handle" />
      <div className="lineage-title">
        <span className="lineage-icon" aria-hidden>
          ▶
        </span>
        <span className="lineage-name">Run #{r.run_id}</span>
        <span className={`status-pill status-${r.status}`}>{r.status}</span>
      </div>
      <div className="lineage-sub" title={`${r.pipeline_name} v${r.pipeline_version}, started by ${r.trigger_kind}`}>
        {r.pipeline_name} v{r.pipeline_version}
      </div>
      <div className="lineage-sub">started by {r.trigger_kind}</div>
      <Handle type="source" position={Position.Right} isConnectable={false} className="lineage-handle" />
    </div>
  );
}

// Module scope: React Flow must not see a new object on every render.
const nodeTypes = { version: memo(VersionNodeView), run: memo(RunNodeView) };

export function LineageGraph({ lineage }: { lineage: Lineage }): ReactElement {
  const navigate = useNavigate();
  const { nodes, edges } = useMemo(() => {
    const laid = layoutLineage(lineage);
    const flowEdges: Edge[] = laid.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      label: e.label,
      className: `lineage-edge ${e.data.kind}`,
      labelBgPadding: [4, 2] as [number, number],
      labelBgBorderRadius: 3,
      labelStyle: { fontSize: 10, fontFamily: 'var(--mono)' },
      focusable: false,
    }));
    return { nodes: laid.nodes as LineageNode[], edges: flowEdges };
  }, [lineage]);

  const onNodeClick = useCallback(
    (_e: MouseEvent, node: LineageNode) => {
      if (node.type === 'run') navigate(`/runs/${node.data.run.run_id}`);
      else navigate(`/datasets/${node.data.version.dataset}?version=${node.data.version.number}`);
    },
    [navigate],
  );

  // As tall as the drawing needs (within reason), so a short lineage does not float in empty space.
  const height = useMemo(() => {
    const ys = nodes.map((n) => n.position.y);
    const span = ys.length ? Math.max(...ys) - Math.min(...ys) + LINEAGE_NODE_SIZE.height : 0;
    return Math.round(Math.min(520, Math.max(220, span + 120)));
  }, [nodes]);

  return (
    <div className="lineage-canvas" style={{ height }} data-testid="lineage-graph">
      <ReactFlow<LineageNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodeClick={onNodeClick}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        zoomOnScroll={false}
        preventScrolling={false}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.2}
        maxZoom={1.5}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.1} color="#cbd5e1" />
        <Controls showInteractive={false} position="bottom-left" />
      </ReactFlow>
    </div>
  );
}
