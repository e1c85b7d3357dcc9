// Worker module of the pipeline plugin, run on the kernel's piscina pool: lays out DOT with the
// WASM build of Graphviz and returns SVG. Each thread compiles the WASM once and reuses it.
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import type { RenderTask } from './visualize.js';

let graphviz: Promise<Graphviz> | undefined;

/** Renders `task.dot` to SVG; throws (with Graphviz's message) when the DOT does not parse. */
export default async function render(task: RenderTask): Promise<string> {
  graphviz ??= Graphviz.load();
  return (await graphviz).dot(task.dot, 'svg');
}
