// The pipeline graph (spec §5): back edges found by a depth-first walk from start_at in declaration
// order, forward predecessors of joins, loops with their entries and exits, reachability.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject } from '#kernel';
import { buildGraph, type Edge, type Graph } from '../../../plugins/pipeline/graph.js';
import { normalise } from '../../../plugins/pipeline/normalise.js';

const when = { type: 'expression', config: { source: 'result.again', operator: 'equals', value: true } };

/** A graph over steps `ids` with `edges` written as "from>to" (a trailing "?" adds a condition). */
function graph(ids: string[], edges: string[], startAt = ids[0]): Graph {
  const transitions: JsonObject[] = edges.map((e) => {
    const [from, to] = e.replace('?', '').split('>');
    return e.endsWith('?') ? { from, to, condition: when } : { from, to };
  });
  return buildGraph(normalise({ name: 'g', steps: ids.map((id) => ({ id })), flow: { start_at: startAt, transitions } }, '.'));
}

const label = (edge: Edge): string => `${edge.def.from}>${edge.def.to}`;
const backEdges = (g: Graph): string[] => g.edges.filter((e) => e.back).map(label);

const graphSuite = suite('graph');

graphSuite('a chain has only forward edges; every step is reachable', () => {
  const g = graph(['a', 'b', 'c'], ['a>b', 'b>c', 'c>end']);
  assert.equal(backEdges(g), []);
  assert.equal([...g.reachable], ['a', 'b', 'c']);
  assert.equal(g.loops, []);
  assert.equal(g.loopEntries.size, 0);
  assert.equal(g.edges.map((e) => [e.index, label(e), e.terminal]), [
    [0, 'a>b', false],
    [1, 'b>c', false],
    [2, 'c>end', true],
  ]);
  assert.equal(g.forwardIn.get('b')!.map(label), ['a>b']);
  assert.equal(g.forwardIn.get('a'), []);
  assert.equal(g.outgoing.get('c')!.map(label), ['c>end']);
});

graphSuite('end, end_with_success and end_with_failure are terminal targets', () => {
  const g = graph(['a'], ['a>end', 'a>end_with_success', 'a>end_with_failure']);
  assert.ok(g.edges.every((e) => e.terminal));
  assert.equal(g.forwardIn.get('a'), []);
});

graphSuite('a review loop: the transition back to draft is the back edge and draft the loop entry', () => {
  const g = graph(['draft', 'review'], ['draft>review', 'review>draft?', 'review>end?']);
  assert.equal(backEdges(g), ['review>draft']);
  assert.equal([...g.loopEntries], ['draft']);
  assert.equal(g.loops.length, 1);
  const [loop] = g.loops;
  assert.equal(loop?.steps, ['draft', 'review']);
  assert.is(loop?.entry, 'draft');
  assert.equal(loop?.exits.map(label), ['review>end']);
  assert.equal(g.forwardIn.get('draft'), [], 'a back edge is not a forward predecessor');
});

graphSuite('which edge is the back edge follows declaration order in the walk', () => {
  // The walk goes a -> b first, then b -> c, so c -> b closes the cycle.
  const first = graph(['a', 'b', 'c'], ['a>b', 'a>c', 'b>c', 'c>b', 'c>end']);
  assert.equal(backEdges(first), ['c>b']);
  assert.equal(first.forwardIn.get('c')!.map(label), ['a>c', 'b>c']);
  assert.equal([...first.loopEntries], ['b']);
  // Declared the other way round, the walk reaches c first and b -> c is the back edge.
  const second = graph(['a', 'b', 'c'], ['a>c', 'a>b', 'c>b', 'b>c', 'c>end']);
  assert.equal(backEdges(second), ['b>c']);
  assert.equal([...second.loopEntries], ['c']);
  assert.equal(second.loops[0]?.entry, 'c');
});

graphSuite('a step that transitions to itself is a one-step loop', () => {
  const g = graph(['poll', 'done'], ['poll>poll?', 'poll>done?']);
  assert.equal(backEdges(g), ['poll>poll']);
  assert.equal(g.loops.map((l) => [l.steps, l.entry, l.exits.map(label)]), [[['poll'], 'poll', ['poll>done']]]);
});

graphSuite('a loop with no transition leaving it has no exits', () => {
  const g = graph(['a', 'b'], ['a>b', 'b>a']);
  assert.equal(g.loops.map((l) => [l.steps, l.exits]), [[['a', 'b'], []]]);
});

graphSuite('nested cycles form one loop whose entry is the outermost back-edge target', () => {
  const g = graph(['a', 'b', 'c'], ['a>b', 'b>c', 'c>b?', 'c>a?', 'c>end?']);
  assert.equal(backEdges(g), ['c>b', 'c>a']);
  assert.equal(g.loops.length, 1);
  assert.equal(g.loops[0]?.steps, ['a', 'b', 'c']);
  assert.is(g.loops[0]?.entry, 'a');
  assert.equal(g.loops[0]?.exits.map(label), ['c>end']);
});

graphSuite('a loop entered after the start step has that step as entry, whatever the declaration order of steps', () => {
  const g = graph(['check', 'retry', 'start'], ['start>check', 'check>retry?', 'retry>check', 'check>end?'], 'start');
  assert.equal(backEdges(g), ['retry>check']);
  assert.equal(g.loops.map((l) => [l.steps, l.entry]), [[['check', 'retry'], 'check']]);
});

graphSuite('a join lists its forward predecessors in declaration order', () => {
  const g = graph(['split', 'left', 'right', 'join'], ['split>left', 'split>right', 'right>join', 'left>join', 'join>end']);
  assert.equal(g.forwardIn.get('join')!.map(label), ['right>join', 'left>join']);
  assert.equal(backEdges(g), []);
  const ancestors = g.forwardAncestors('join');
  assert.equal([...ancestors].sort(), ['join', 'left', 'right', 'split']);
  assert.is(g.forwardAncestors('join'), ancestors, 'memoised');
  assert.equal([...g.forwardAncestors('left')].sort(), ['left', 'split']);
  assert.equal([...g.forwardAncestors('split')], ['split']);
});

graphSuite('a join inside a loop keeps forward predecessors only', () => {
  const g = graph(['a', 'b', 'c', 'j'], ['a>b', 'a>c', 'b>j', 'c>j', 'j>a?', 'j>end?']);
  assert.equal(backEdges(g), ['j>a']);
  assert.equal(g.forwardIn.get('j')!.map(label), ['b>j', 'c>j']);
  assert.equal([...g.forwardAncestors('j')].sort(), ['a', 'b', 'c', 'j'], 'the back edge is not followed');
  assert.equal(g.loops[0]?.steps.slice().sort(), ['a', 'b', 'c', 'j']);
});

graphSuite('steps not reachable from start_at are left out of reachability and loops', () => {
  const g = graph(['a', 'x', 'y'], ['a>end', 'x>y', 'y>x']);
  assert.equal([...g.reachable], ['a']);
  assert.equal(g.loops, []);
  assert.equal(backEdges(g), [], 'the walk never saw x and y');
});

graphSuite('transitions naming unknown steps are kept as edges but ignored by the analysis', () => {
  const g = graph(['a', 'b'], ['ghost>a', 'a>nowhere', 'a>b']);
  assert.equal(g.edges.length, 3);
  assert.not.ok(g.outgoing.has('ghost'));
  assert.equal(g.outgoing.get('a')!.map(label), ['a>nowhere', 'a>b']);
  assert.equal(g.forwardIn.get('a'), []);
  assert.equal(g.forwardIn.get('b')!.map(label), ['a>b']);
  assert.equal([...g.reachable], ['a', 'b']);
});

graphSuite('an unknown start_at reaches nothing', () => {
  const g = graph(['a', 'b'], ['a>b', 'b>a'], 'missing');
  assert.equal(g.reachable.size, 0);
  assert.equal(g.loops, []);
  assert.equal(g.steps.size, 2);
});

graphSuite.run();
