import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, WeftError } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import type { PipelineDef } from '../../../plugins/pipeline/model.js';
import type { PipelineService } from '../../../plugins/pipeline/service.js';
import { buildDiagram, conditionText, drawPipeline, renderSvg, toDot, toMermaid, type Diagram } from '../../../plugins/pipeline/visualize.js';
import { bootPipeline } from './support.js';

let kernel: Kernel;
let pipeline: PipelineService;

/** Validates a document for its structure only (steps need not resolve) and returns its model. */
async function structure(doc: JsonObject): Promise<PipelineDef> {
  const report = await pipeline.validate(doc, { skipSteps: true });
  assert.equal(report.errors, []);
  return report.def!;
}

const expression = (source: string, operator: string, value: unknown): JsonObject => ({ type: 'expression', config: { source, operator, value } });

const reviewLoop: JsonObject = {
  name: 'review loop',
  parameters: { threshold: 0.8 },
  steps: [
    { id: 'draft', name: 'Write a draft', step_class: 'Draft' },
    { id: 'review', step_class: 'Review' },
    { id: 'publish', name: 'Publish', step_class: 'Publish' },
  ],
  flow: {
    start_at: 'draft',
    transitions: [
      { from: 'draft', to: 'review', condition: { type: 'always' } },
      { from: 'review', to: 'draft', condition: expression('quality_score', '<', '{{ parameters.threshold }}') },
      { from: 'review', to: 'publish', condition: expression('quality_score', '>=', '{{ parameters.threshold }}') },
      { from: 'publish', to: 'end' },
    ],
  },
  loop_config: { max_iterations: 4 },
};

const branching: JsonObject = {
  name: 'branching',
  steps: [{ id: 'split', step_class: 'A' }, { id: 'left', step_class: 'A' }, { id: 'right', step_class: 'A' }, { id: 'merge', name: 'Merge', step_class: 'A' }, { id: 'orphan', step_class: 'A' }],
  flow: {
    start_at: 'split',
    transitions: [
      { from: 'split', to: 'left', condition: expression('result.decision', '==', 'approve') },
      { from: 'split', to: 'right', condition: expression('result.decision', 'not_equals', 'approve') },
      { from: 'left', to: 'merge' },
      { from: 'right', to: 'merge' },
      { from: 'merge', to: 'end_with_success', condition: { type: 'field_exists', config: { field: 'result.ok' } } },
      { from: 'merge', to: 'end_with_failure', condition: { type: 'not', config: { condition: { type: 'field_exists', config: { field: 'result.ok' } } } } },
    ],
  },
};

const setup = async (): Promise<void> => {
  ({ kernel, pipeline } = await bootPipeline());
};
const teardown = (): Promise<void> => kernel.close();

const conditions = suite('visualize: condition labels');

conditions('comparisons read like code, with templates verbatim and other values as JSON', () => {
  assert.is(conditionText(expression('quality_score', '>=', '{{ parameters.threshold }}')), 'quality_score >= {{ parameters.threshold }}');
  assert.is(conditionText(expression('result.decision', 'equals', 'approve')), 'result.decision == "approve"');
  assert.is(conditionText({ type: 'expression', config: { source: 'result.n', value: 3 } }), 'result.n == 3');
  assert.is(conditionText(expression('result.n', 'gt', 3)), 'result.n > 3');
  assert.is(conditionText(expression('result.n', 'lte', 3)), 'result.n <= 3');
  assert.is(conditionText(expression('result.tags', 'contains', 'x')), 'result.tags contains "x"');
  assert.is(conditionText(expression('result.x', 'not_exists', null)), 'result.x not exists');
  // The inline form (config fields beside the type) reads the same.
  assert.is(conditionText({ type: 'expression', source: 'result.ok', operator: '!=', value: false }), 'result.ok != false');
});

conditions('always holds, so it has no label', () => {
  assert.is(conditionText(undefined), '');
  assert.is(conditionText({ type: 'always' }), '');
});

conditions('the sugar forms read as the comparison they stand for', () => {
  assert.is(conditionText({ type: 'threshold_condition', config: { field: 'quality_score', operator: '<', value: '{{ parameters.threshold }}' } }), 'quality_score < {{ parameters.threshold }}');
  assert.is(conditionText({ type: 'field_equals', config: { field: 'status', value: 'ok' } }), 'status == "ok"');
  assert.is(conditionText({ type: 'field_exists', config: { field: 'status' } }), 'status exists');
  assert.is(conditionText({ type: 'field_greater_than', config: { field: 'n', value: 1 } }), 'n > 1');
  assert.is(conditionText({ type: 'field_less_than', config: { field: 'n', value: 1 } }), 'n < 1');
});

conditions('combinators wrap their parts; an always part is named', () => {
  const all = { type: 'all', config: { conditions: [expression('a', '==', 1), { type: 'always' }] } };
  assert.is(conditionText(all), 'all(a == 1, always)');
  assert.is(conditionText({ type: 'any', config: { conditions: [expression('a', '==', 1), { type: 'not', config: { condition: all } }] } }), 'any(a == 1, not(all(a == 1, always)))');
  assert.is(conditionText({ type: 'not', config: { condition: { type: 'always' } } }), 'not(always)');
});

conditions('parameter, function, agent, plugin and registered types say what decides', () => {
  assert.is(conditionText({ type: 'parameter', config: { parameter: 'dry_run' } }), 'parameters.dry_run');
  assert.is(conditionText({ type: 'function', config: { module: './checks.ts', export: 'isReady' } }), './checks.ts#isReady()');
  assert.is(conditionText({ type: 'function', config: { module: './checks.ts' } }), './checks.ts#default()');
  assert.is(conditionText({ type: 'agent', config: { prompt_template: 'Is the draft\n  good?' } }), 'agent: Is the draft good?');
  assert.is(conditionText({ type: 'agent', config: { prompt_template: 'x'.repeat(60) } }), `agent: ${'x'.repeat(39)}…`);
  assert.is(conditionText({ type: 'plugin', config: { plugin: 'budget', config: {} } }), 'plugin budget');
  assert.is(conditionText({ type: 'business_hours', config: { tz: 'UTC' } }), 'business_hours({"tz":"UTC"})');
});

const diagrams = suite('visualize: diagram');
diagrams.before(setup);
diagrams.after(teardown);

diagrams('steps carry name and id; a start marker points at start_at', async () => {
  const diagram = buildDiagram(await structure(reviewLoop));
  assert.equal(diagram.nodes.slice(0, 4).map((n) => [n.id, n.kind, n.label, n.start]), [
    ['t_start', 'start', ['start'], false],
    ['s_draft', 'step', ['Write a draft', 'draft'], true],
    ['s_review', 'step', ['review'], false],
    ['s_publish', 'step', ['Publish', 'publish'], false],
  ]);
  assert.equal(diagram.edges[0], { from: 't_start', to: 's_draft', label: [], back: false });
  assert.is(diagram.title, 'review loop');
});

diagrams('conditions label their edges; always is omitted', async () => {
  const { edges } = buildDiagram(await structure(reviewLoop));
  assert.equal(edges.find((e) => e.from === 's_draft')!.label, []);
  assert.equal(edges.find((e) => e.to === 's_publish')!.label, ['quality_score >= {{ parameters.threshold }}']);
});

diagrams('a back edge is marked and labelled with the loop and its bound', async () => {
  const { edges } = buildDiagram(await structure(reviewLoop));
  const back = edges.filter((e) => e.back);
  assert.equal(back, [{ from: 's_review', to: 's_draft', label: ['quality_score < {{ parameters.threshold }}', '↺ loop (max 4 iterations)'], back: true }]);
});

diagrams('several loops are numbered in declaration order', async () => {
  const doc = {
    name: 'two loops',
    steps: [{ id: 'a', step_class: 'A' }, { id: 'b', step_class: 'A' }, { id: 'c', step_class: 'A' }],
    flow: {
      start_at: 'a',
      transitions: [
        { from: 'a', to: 'a', condition: expression('result.again', '==', true) },
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'b', condition: expression('result.again', '==', true) },
        { from: 'c', to: 'end' },
      ],
    },
  };
  const back = buildDiagram(await structure(doc)).edges.filter((e) => e.back);
  assert.equal(back.map((e) => [e.from, e.to, e.label.at(-1)]), [
    ['s_a', 's_a', '↺ loop 1 (max 100 iterations)'],
    ['s_c', 's_b', '↺ loop 2 (max 100 iterations)'],
  ]);
});

diagrams('a join is its own kind and names the steps it waits for; unreachable steps are flagged', async () => {
  const { nodes } = buildDiagram(await structure(branching));
  const merge = nodes.find((n) => n.id === 's_merge')!;
  assert.is(merge.kind, 'join');
  assert.equal(merge.label, ['Merge', 'merge', '⋈ join of left, right']);
  assert.equal(nodes.filter((n) => n.kind === 'join').map((n) => n.id), ['s_merge']);
  assert.equal(nodes.filter((n) => n.unreachable).map((n) => n.id), ['s_orphan']);
});

diagrams('terminal nodes appear once each, only when a transition targets them', async () => {
  const branchingNodes = buildDiagram(await structure(branching)).nodes;
  assert.equal(branchingNodes.filter((n) => n.kind.startsWith('end')).map((n) => [n.id, n.kind]), [
    ['t_end_with_success', 'end_with_success'],
    ['t_end_with_failure', 'end_with_failure'],
  ]);
  const loopNodes = buildDiagram(await structure(reviewLoop)).nodes;
  assert.equal(loopNodes.filter((n) => n.kind.startsWith('end')).map((n) => n.id), ['t_end']);
});

diagrams('first_match routing numbers the outgoing edges of a step in the order they are tried', async () => {
  const flow = branching['flow'] as { transitions: JsonObject[] };
  const { edges } = buildDiagram(await structure({ ...branching, flow: { ...flow, routing: 'first_match', transitions: [...flow.transitions, { from: 'split', to: 'end' }] } }));
  assert.equal(edges.filter((e) => e.from === 's_split').map((e) => e.label), [['(1) result.decision == "approve"'], ['(2) result.decision != "approve"'], ['(3) always']]);
  assert.equal(edges.find((e) => e.from === 's_left')!.label, [], 'a single way on needs no number');
});

diagrams('long conditions wrap after their commas, keeping every part', async () => {
  const long = { type: 'all', config: { conditions: [expression('result.risk_score', '<', '{{ parameters.risk_threshold }}'), expression('result.flagged', '==', false)] } };
  const doc = { ...branching, parameters: { risk_threshold: 0.5 }, flow: { start_at: 'split', transitions: [{ from: 'split', to: 'left', condition: long }] } };
  const edge = buildDiagram(await structure(doc)).edges[1]!;
  assert.equal(edge.label, ['all(result.risk_score < {{ parameters.risk_threshold }},', 'result.flagged == false)']);
});

diagrams('step ids become identifiers Mermaid and DOT accept, without collisions', async () => {
  const doc = { name: 'ids', steps: [{ id: 'fetch-data', step_class: 'A' }, { id: 'fetch_data', step_class: 'A' }, { id: 'end_x', step_class: 'A' }], flow: { start_at: 'fetch-data', transitions: [{ from: 'fetch-data', to: 'fetch_data' }, { from: 'fetch_data', to: 'end_x' }] } };
  const { nodes, edges } = buildDiagram(await structure(doc));
  assert.equal(nodes.map((n) => n.id), ['t_start', 's_fetch_data', 's_fetch_data_2', 's_end_x']);
  assert.equal(edges.slice(1).map((e) => [e.from, e.to]), [['s_fetch_data', 's_fetch_data_2'], ['s_fetch_data_2', 's_end_x']]);
});

const mermaid = suite('visualize: Mermaid');
mermaid.before(setup);
mermaid.after(teardown);

mermaid('a top-down flowchart titled with the pipeline name', async () => {
  const text = toMermaid(buildDiagram(await structure(reviewLoop)));
  assert.ok(text.startsWith('---\ntitle: "review loop"\n---\nflowchart TD\n'), text);
  assert.ok(text.endsWith('\n'));
});

mermaid('nodes have a shape per kind; back edges are dotted; classes mark start, joins, ends and unreachable steps', async () => {
  const loop = toMermaid(buildDiagram(await structure(reviewLoop))).split('\n');
  assert.ok(loop.includes('  t_start(("start"))'));
  assert.ok(loop.includes('  s_draft["Write a draft<br/>draft"]'));
  assert.ok(loop.includes('  t_end(["end"])'));
  assert.ok(loop.includes('  t_start --> s_draft'));
  assert.ok(loop.includes('  s_draft --> s_review'));
  assert.ok(loop.includes('  s_review -.->|"quality_score < {{ parameters.threshold }}<br/>↺ loop (max 4 iterations)"| s_draft'));
  assert.ok(loop.includes('  s_review -->|"quality_score >= {{ parameters.threshold }}"| s_publish'));
  assert.ok(loop.includes('  class t_start,s_draft start'));
  assert.ok(loop.includes('  class t_end endNode'));
  const branch = toMermaid(buildDiagram(await structure(branching))).split('\n');
  assert.ok(branch.includes('  s_merge{{"Merge<br/>merge<br/>⋈ join of left, right"}}'));
  assert.ok(branch.includes('  class s_merge join'));
  assert.ok(branch.includes('  class s_orphan unreachable'));
  assert.ok(branch.includes('  class t_end_with_success endSuccess'));
  assert.ok(branch.includes('  class t_end_with_failure endFailure'));
  assert.ok(branch.includes('  classDef join fill:#fef3c7,stroke:#b45309,stroke-width:2px'));
  // `end` is a Mermaid keyword: no identifier or class may be exactly that word.
  assert.not.ok(branch.some((line) => /(^|[\s,])end([\s,;]|$)/.test(line.replace(/"[^"]*"/g, ''))), branch.join('\n'));
});

mermaid('label text is escaped so Mermaid parses it and shows it as written', () => {
  const diagram: Diagram = {
    title: 'say "hi"',
    nodes: [{ id: 's_a', kind: 'step', label: ['a "quoted" | piped <b>bold</b> #amp; a < b'], start: false, unreachable: false }],
    edges: [{ from: 's_a', to: 's_a', label: ['x == "y|z"'], back: true }],
  };
  const text = toMermaid(diagram);
  assert.ok(text.includes('title: "say \\"hi\\""'), text);
  assert.ok(text.includes('  s_a["a #quot;quoted#quot; #124; piped #lt;b>bold#lt;/b> #35;amp; a < b"]'), text);
  assert.ok(text.includes('  s_a -.->|"x == #quot;y#124;z#quot;"| s_a'), text);
});

const dot = suite('visualize: DOT');
dot.before(setup);
dot.after(teardown);

dot('a digraph with styled nodes per kind, labelled edges and dashed back edges', async () => {
  const text = toDot(buildDiagram(await structure(reviewLoop)));
  const lines = text.split('\n');
  assert.is(lines[0], 'digraph "review loop" {');
  assert.ok(lines.includes('  s_draft [label="Write a draft\\ndraft", shape=box, fillcolor="#f8fafc", style="rounded,filled", penwidth=3];'), text);
  assert.ok(lines.includes('  t_start -> s_draft;'));
  assert.ok(lines.includes('  s_review -> s_draft [label="quality_score < {{ parameters.threshold }}\\n↺ loop (max 4 iterations)", style=dashed, color="#7c3aed", fontcolor="#7c3aed"];'), text);
  assert.ok(lines.includes('  s_publish -> t_end;'));
  assert.ok(text.endsWith('}\n'));
});

dot('joins are hexagons and unreachable steps dashed', async () => {
  const text = toDot(buildDiagram(await structure(branching)));
  assert.match(text, /s_merge \[label="Merge\\nmerge\\n⋈ join of left, right", shape=hexagon[^\n]*style="filled"\];/);
  assert.match(text, /s_orphan \[label="orphan", shape=box[^\n]*style="rounded,filled,dashed", fontcolor="#6b7280"\];/);
  assert.match(text, /t_end_with_failure \[label="end_with_failure", shape=oval, peripheries=2/);
});

dot('quotes and backslashes in labels are escaped', () => {
  const text = toDot({ title: 't', nodes: [{ id: 's_a', kind: 'step', label: ['say "hi"', 'C:\\temp'], start: false, unreachable: false }], edges: [] });
  assert.ok(text.includes('s_a [label="say \\"hi\\"\\nC:\\\\temp"'), text);
});

const svg = suite('visualize: SVG on the worker pool');
svg.before(setup);
svg.after(teardown);

svg('Graphviz lays the DOT out as SVG on a worker thread', async () => {
  const out = await renderSvg(kernel.workers, toDot(buildDiagram(await structure(reviewLoop))));
  assert.ok(out.includes('<svg'), out.slice(0, 200));
  assert.ok(out.includes('Write a draft'));
  assert.ok(out.includes('stroke-dasharray'), 'the back edge is dashed');
});

svg('DOT that does not parse is a PIPELINE_RENDER_FAILED error with Graphviz\'s reason', async () => {
  try {
    await renderSvg(kernel.workers, 'digraph { a -> ');
    assert.unreachable('should have thrown');
  } catch (e: unknown) {
    const error = e as WeftError;
    assert.is(error.code, 'PIPELINE_RENDER_FAILED');
    assert.match(error.message, /syntax error/);
  }
});

svg('drawPipeline gives each format', async () => {
  const def = await structure(reviewLoop);
  assert.ok((await drawPipeline(def, 'mermaid', kernel.workers)).includes('flowchart TD'));
  assert.ok((await drawPipeline(def, 'dot', kernel.workers)).startsWith('digraph'));
  assert.ok((await drawPipeline(def, 'svg', kernel.workers)).includes('</svg>'));
});

conditions.run();
diagrams.run();
mermaid.run();
dot.run();
svg.run();
