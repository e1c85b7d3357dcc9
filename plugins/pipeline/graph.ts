import { TERMINALS, type PipelineDef, type StepDef, type TransitionDef } from './model.js';

/** A transition with its place in the graph worked out. */
export interface Edge {
  index: number;
  def: TransitionDef;
  /** Closes a cycle in a depth-first walk from start_at (spec §5). */
  back: boolean;
  /** `end`, `end_with_success` or `end_with_failure`. */
  terminal: boolean;
}

/** A cycle (strongly connected component) and the transitions that leave it. */
export interface Loop {
  steps: string[];
  entry: string;
  exits: Edge[];
}

/** The pipeline's graph: edges, back edges, joins, loops, reachability. */
export interface Graph {
  steps: ReadonlyMap<string, StepDef>;
  edges: Edge[];
  outgoing: ReadonlyMap<string, Edge[]>;
  /** Forward transitions into each step, in declaration order. */
  forwardIn: ReadonlyMap<string, Edge[]>;
  /** Steps that a back edge targets: each is the entry of a loop. */
  loopEntries: ReadonlySet<string>;
  loops: Loop[];
  /** Steps reachable from start_at. */
  reachable: ReadonlySet<string>;
  /** Steps that can reach `step` through forward transitions (memoised; includes `step`). */
  forwardAncestors(step: string): ReadonlySet<string>;
}

/** Builds the graph of a pipeline. Unknown endpoints are ignored here (validation reports them). */
export function buildGraph(pipeline: PipelineDef): Graph {
  const steps = new Map(pipeline.steps.map((s) => [s.id, s]));
  const edges: Edge[] = pipeline.flow.transitions.map((def, index) => ({ index, def, back: false, terminal: TERMINALS.has(def.to) }));
  const outgoing = new Map<string, Edge[]>();
  for (const id of steps.keys()) outgoing.set(id, []);
  for (const edge of edges) outgoing.get(edge.def.from)?.push(edge);

  // Depth-first walk from start_at in declaration order marks back edges.
  const state = new Map<string, 'open' | 'done'>();
  const reachable = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    reachable.add(id);
    for (const edge of outgoing.get(id)!) {
      const to = edge.def.to;
      if (!steps.has(to)) continue;
      const seen = state.get(to);
      if (seen === 'open') edge.back = true;
      else if (seen === undefined) visit(to);
    }
    state.set(id, 'done');
  };
  if (steps.has(pipeline.flow.start_at)) visit(pipeline.flow.start_at);

  const forwardIn = new Map<string, Edge[]>();
  for (const id of steps.keys()) forwardIn.set(id, []);
  const loopEntries = new Set<string>();
  for (const edge of edges) {
    if (!steps.has(edge.def.to) || !steps.has(edge.def.from)) continue;
    if (edge.back) loopEntries.add(edge.def.to);
    else forwardIn.get(edge.def.to)!.push(edge);
  }

  const ancestors = new Map<string, Set<string>>();
  const forwardAncestors = (step: string): ReadonlySet<string> => {
    let found = ancestors.get(step);
    if (!found) {
      found = new Set([step]);
      const queue = [step];
      for (let i = 0; i < queue.length; i++) {
        for (const edge of forwardIn.get(queue[i]!)!) {
          if (!found.has(edge.def.from)) {
            found.add(edge.def.from);
            queue.push(edge.def.from);
          }
        }
      }
      ancestors.set(step, found);
    }
    return found;
  };

  return { steps, edges, outgoing, forwardIn, loopEntries, loops: findLoops(steps, outgoing, reachable, loopEntries), reachable, forwardAncestors };
}

/** Tarjan's strongly connected components over reachable steps; each cyclic one is a loop. */
function findLoops(steps: ReadonlyMap<string, StepDef>, outgoing: ReadonlyMap<string, Edge[]>, reachable: ReadonlySet<string>, entries: ReadonlySet<string>): Loop[] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: Loop[] = [];
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const edge of outgoing.get(v)!) {
      const w = edge.def.to;
      if (!steps.has(w)) continue;
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const members: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      members.unshift(w);
    } while (w !== v);
    const set = new Set(members);
    const cyclic = members.length > 1 || outgoing.get(v)!.some((e) => e.def.to === v);
    if (!cyclic) return;
    const exits = members.flatMap((m) => outgoing.get(m)!.filter((e) => !set.has(e.def.to)));
    // A depth-first walk finds a back edge in every cycle it reaches, so some member is a back-edge target.
    loops.push({ steps: members, entry: members.find((m) => entries.has(m))!, exits });
  };
  for (const id of steps.keys()) if (reachable.has(id) && !index.has(id)) strong(id);
  return loops;
}
