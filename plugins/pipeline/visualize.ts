// Drawing a pipeline: one diagram model (nodes, edges, labels) built from the graph analysis, and
// two writers over it, Mermaid and DOT. SVG is Graphviz's layout of the DOT, computed on the
// kernel's worker pool because the WASM layout is CPU-bound.
import { WeftError, workerFile, type WorkerPool } from '#kernel';
import { conditionDef } from './conditions.js';
import { PipelineErrors } from './errors.js';
import { buildGraph, type Edge } from './graph.js';
import type { PipelineDef } from './model.js';

/** Output formats of `weft visualize`. */
export const FORMATS = ['mermaid', 'dot', 'svg'] as const;

/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];

/** What a node stands for; decides its shape and style. */
export type NodeKind = 'step' | 'join' | 'start' | 'end' | 'end_with_success' | 'end_with_failure';

/** A node of the drawing. `id` is safe in both Mermaid and DOT. */
export interface DiagramNode {
  id: string;
  kind: NodeKind;
  /** Label lines. */
  label: string[];
  /** The pipeline's start_at step. */
  start: boolean;
  /** Not reachable from start_at (validation warns about these). */
  unreachable: boolean;
}

/** An edge of the drawing; `back` edges close a loop and are drawn dashed. */
export interface DiagramEdge {
  from: string;
  to: string;
  label: string[];
  back: boolean;
}

/** A pipeline as a drawing, independent of the output format. */
export interface Diagram {
  title: string;
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

const SYMBOLS: Readonly<Record<string, string>> = {
  equals: '==', '==': '==', not_equals: '!=', '!=': '!=',
  greater_than: '>', gt: '>', '>': '>', greater_than_or_equal: '>=', gte: '>=', '>=': '>=',
  less_than: '<', lt: '<', '<': '<', less_than_or_equal: '<=', lte: '<=', '<=': '<=',
};

const LINE_WIDTH = 56;

/** Breaks a long condition after its commas (between the parts of `all(...)`), so no part is cut. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  for (const chunk of text.split(/(?<=, )/)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + chunk.length <= LINE_WIDTH) lines[last] += chunk;
    else lines.push(chunk);
  }
  return lines.map((line) => line.trimEnd());
}

/** A configured value as written: templates verbatim, everything else as JSON. */
function valueText(value: unknown): string {
  return typeof value === 'string' && value.includes('{{') ? value.trim() : JSON.stringify(value);
}

function comparison(source: unknown, operator: unknown, value: unknown): string {
  const op = String(operator ?? 'equals');
  const left = String(source).trim();
  if (op === 'exists' || op === 'not_exists') return `${left} ${op.replace('_', ' ')}`;
  return `${left} ${SYMBOLS[op] ?? op} ${valueText(value)}`;
}

/**
 * A condition as readable text: `quality_score >= {{ parameters.threshold }}`,
 * `all(a, b)`, `not(x)`; '' for a condition that always holds.
 */
export function conditionText(raw: unknown): string {
  if (raw === undefined) return '';
  const { type, config } = conditionDef(raw, 'condition');
  const nested = (c: unknown): string => conditionText(c) || 'always';
  switch (type) {
    case 'always':
      return '';
    case 'expression':
      return comparison(config['source'], config['operator'], config['value']);
    case 'threshold_condition':
      return comparison(config['field'], config['operator'], config['value']);
    case 'field_equals':
      return comparison(config['field'], 'equals', config['value']);
    case 'field_exists':
      return comparison(config['field'], 'exists', undefined);
    case 'field_greater_than':
      return comparison(config['field'], 'greater_than', config['value']);
    case 'field_less_than':
      return comparison(config['field'], 'less_than', config['value']);
    case 'all':
    case 'any':
      return `${type}(${(config['conditions'] as unknown[]).map(nested).join(', ')})`;
    case 'not':
      return `not(${nested(config['condition'])})`;
    case 'parameter':
      return `parameters.${String(config['parameter'])}`;
    case 'function':
      return `${String(config['module'])}#${typeof config['export'] === 'string' ? config['export'] : 'default'}()`;
    case 'agent': {
      const prompt = String(config['prompt_template']).replace(/\s+/g, ' ').trim();
      return `agent: ${prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt}`;
    }
    case 'plugin':
      return `plugin ${String(config['plugin'])}`;
    default:
      return `${type}(${JSON.stringify(config)})`;
  }
}

/** Hands out identifiers that Mermaid and DOT both accept and that never collide. */
function idAllocator(): (key: string, prefix: string) => string {
  const byKey = new Map<string, string>();
  const taken = new Set<string>();
  return (key, prefix) => {
    const known = byKey.get(`${prefix}${key}`);
    if (known !== undefined) return known;
    const base = `${prefix}${key.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    byKey.set(`${prefix}${key}`, id);
    return id;
  };
}

/** Builds the drawing of a (structurally valid) pipeline. */
export function buildDiagram(def: PipelineDef): Diagram {
  const graph = buildGraph(def);
  const id = idAllocator();
  const startId = id('start', 't_');
  const nodes: DiagramNode[] = [{ id: startId, kind: 'start', label: ['start'], start: false, unreachable: false }];
  const edges: DiagramEdge[] = [{ from: startId, to: id(def.flow.start_at, 's_'), label: [], back: false }];
  for (const step of def.steps) {
    const joined = graph.forwardIn.get(step.id)!.map((e) => e.def.from);
    const label = step.name === step.id ? [step.id] : [step.name, step.id];
    if (joined.length > 1) label.push(...wrap(`⋈ join of ${joined.join(', ')}`));
    nodes.push({ id: id(step.id, 's_'), kind: joined.length > 1 ? 'join' : 'step', label, start: step.id === def.flow.start_at, unreachable: !graph.reachable.has(step.id) });
  }
  // Loops are numbered in the order their back edges are declared.
  const loopNumbers = new Map<number, number>();
  const loopNumber = (edge: Edge): number => {
    const loop = graph.loops.findIndex((l) => l.steps.includes(edge.def.from));
    if (!loopNumbers.has(loop)) loopNumbers.set(loop, loopNumbers.size + 1);
    return loopNumbers.get(loop)!;
  };
  const terminals = new Set<string>();
  for (const edge of graph.edges) {
    const { from, to, condition } = edge.def;
    const siblings = graph.outgoing.get(from)!;
    const order = def.flow.routing === 'first_match' && siblings.length > 1 ? `(${siblings.indexOf(edge) + 1}) ` : '';
    const text = conditionText(condition);
    const label = text === '' && order === '' ? [] : wrap(`${order}${text || 'always'}`);
    if (edge.back) {
      const n = graph.loops.length > 1 ? ` ${loopNumber(edge)}` : '';
      label.push(`↺ loop${n} (max ${def.loop_config.max_iterations} iterations)`);
    }
    if (edge.terminal) terminals.add(to);
    edges.push({ from: id(from, 's_'), to: edge.terminal ? id(to, 't_') : id(to, 's_'), label, back: edge.back });
  }
  for (const terminal of ['end', 'end_with_success', 'end_with_failure'] as const) {
    if (terminals.has(terminal)) nodes.push({ id: id(terminal, 't_'), kind: terminal, label: [terminal], start: false, unreachable: false });
  }
  return { title: def.name, nodes, edges };
}

// Mermaid renders labels as HTML and decodes `#name;` entities, so quotes, pipes, tag-like `<`
// and entity-like `#` are written as entities; `>` and `<` before a space read fine as they are.
function mermaidText(lines: readonly string[]): string {
  const escape = (line: string): string =>
    line.replace(/#(?=\w+;)/g, '#35;').replace(/"/g, '#quot;').replace(/\|/g, '#124;').replace(/<(?=[A-Za-z/!?])/g, '#lt;');
  return `"${lines.map(escape).join('<br/>')}"`;
}

const MERMAID_SHAPES: Readonly<Record<NodeKind, [string, string]>> = {
  step: ['[', ']'],
  join: ['{{', '}}'],
  start: ['((', '))'],
  end: ['([', '])'],
  end_with_success: ['([', '])'],
  end_with_failure: ['([', '])'],
};

// Mermaid reads `end` as a keyword anywhere, so terminal classes have names of their own.
const MERMAID_CLASS: Readonly<Record<NodeKind, string | undefined>> = {
  step: undefined,
  join: 'join',
  start: 'start',
  end: 'endNode',
  end_with_success: 'endSuccess',
  end_with_failure: 'endFailure',
};

const MERMAID_CLASS_DEFS = [
  'classDef start stroke-width:3px',
  'classDef join fill:#fef3c7,stroke:#b45309,stroke-width:2px',
  'classDef endNode fill:#e5e7eb,stroke:#374151',
  'classDef endSuccess fill:#dcfce7,stroke:#15803d',
  'classDef endFailure fill:#fee2e2,stroke:#b91c1c',
  'classDef unreachable stroke-dasharray:4 4,color:#6b7280',
];

/** The diagram as a Mermaid flowchart (top to bottom). */
export function toMermaid(diagram: Diagram): string {
  const lines = ['---', `title: ${JSON.stringify(diagram.title)}`, '---', 'flowchart TD'];
  const classes = new Map<string, string[]>();
  const classify = (name: string, nodeId: string): void => void classes.set(name, [...(classes.get(name) ?? []), nodeId]);
  for (const node of diagram.nodes) {
    const [open, close] = MERMAID_SHAPES[node.kind];
    lines.push(`  ${node.id}${open}${mermaidText(node.label)}${close}`);
    const kindClass = MERMAID_CLASS[node.kind];
    if (kindClass !== undefined) classify(kindClass, node.id);
    if (node.start) classify('start', node.id);
    if (node.unreachable) classify('unreachable', node.id);
  }
  for (const edge of diagram.edges) {
    const arrow = edge.back ? '-.->' : '-->';
    lines.push(`  ${edge.from} ${arrow}${edge.label.length > 0 ? `|${mermaidText(edge.label)}|` : ''} ${edge.to}`);
  }
  lines.push(...MERMAID_CLASS_DEFS.map((c) => `  ${c}`));
  for (const [name, ids] of classes) lines.push(`  class ${ids.join(',')} ${name}`);
  return `${lines.join('\n')}\n`;
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function dotLabel(lines: readonly string[]): string {
  return dotString(lines.join('\n')).replace(/\n/g, '\\n');
}

const DOT_NODE_STYLES: Readonly<Record<NodeKind, { style: string; attrs: string }>> = {
  step: { style: 'rounded,filled', attrs: 'shape=box, fillcolor="#f8fafc"' },
  join: { style: 'filled', attrs: 'shape=hexagon, fillcolor="#fef3c7", color="#b45309", penwidth=2' },
  start: { style: 'filled', attrs: 'shape=circle, fillcolor="#1f2937", fontcolor=white' },
  end: { style: 'filled', attrs: 'shape=oval, peripheries=2, fillcolor="#e5e7eb"' },
  end_with_success: { style: 'filled', attrs: 'shape=oval, peripheries=2, fillcolor="#dcfce7", color="#15803d"' },
  end_with_failure: { style: 'filled', attrs: 'shape=oval, peripheries=2, fillcolor="#fee2e2", color="#b91c1c"' },
};

/** The diagram as a Graphviz DOT digraph (top to bottom). */
export function toDot(diagram: Diagram): string {
  const lines = [
    `digraph ${dotString(diagram.title)} {`,
    `  graph [rankdir=TB, label=${dotString(diagram.title)}, labelloc=t, fontname="Helvetica"];`,
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const node of diagram.nodes) {
    const { style, attrs } = DOT_NODE_STYLES[node.kind];
    const extra = `${node.start ? ', penwidth=3' : ''}${node.unreachable ? ', fontcolor="#6b7280"' : ''}`;
    lines.push(`  ${node.id} [label=${dotLabel(node.label)}, ${attrs}, style="${style}${node.unreachable ? ',dashed' : ''}"${extra}];`);
  }
  for (const edge of diagram.edges) {
    const attrs = [...(edge.label.length > 0 ? [`label=${dotLabel(edge.label)}`] : []), ...(edge.back ? ['style=dashed', 'color="#7c3aed"', 'fontcolor="#7c3aed"'] : [])];
    lines.push(`  ${edge.from} -> ${edge.to}${attrs.length > 0 ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The task the render worker receives. */
export interface RenderTask {
  dot: string;
}

/** Lays out DOT as SVG with WASM Graphviz on a worker thread. Throws PIPELINE_RENDER_FAILED. */
export async function renderSvg(workers: WorkerPool, dot: string): Promise<string> {
  try {
    return await workers.run<string>(workerFile(import.meta.url, './render-worker'), { dot } satisfies RenderTask);
  } catch (e: unknown) {
    throw new WeftError(PipelineErrors.RENDER_FAILED, `Graphviz could not draw the graph: ${(e as Error).message}`, { cause: e });
  }
}

/** Draws a pipeline in `format`; SVG goes through the worker pool. */
export async function drawPipeline(def: PipelineDef, format: Format, workers: WorkerPool): Promise<string> {
  const diagram = buildDiagram(def);
  if (format === 'mermaid') return toMermaid(diagram);
  const dot = toDot(diagram);
  return format === 'dot' ? dot : renderSvg(workers, dot);
}
