import type { Command } from '#kernel';

/** `weft visualize <file>`: the graph as Mermaid, DOT or SVG. */
export const visualizeCommand: Command = {
  name: 'visualize',
  summary: 'Draw a pipeline as Mermaid, DOT or SVG',
  args: '<file>',
  positionals: { min: 1, max: 1 },
  run: () => 1,
};
