import type { Command } from '#kernel';

/** `weft test <folder>…`: runs pipeline test cases (spec §8). */
export const testCommand: Command = {
  name: 'test',
  summary: 'Run the cases.json test cases of pipeline folders',
  args: '<folder>...',
  positionals: { min: 1, max: Infinity },
  run: () => 1,
};
