import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { KernelErrors, WeftError, toWeftError, type Command, type WorkerPool } from '#kernel';
import { PipelineErrors } from '../errors.js';
import type { PipelineDef } from '../model.js';
import type { ValidationReport } from '../validate.js';
import { FORMATS, drawPipeline, type Format } from '../visualize.js';
import { stepsOption, usage } from './options.js';

const BY_EXTENSION: Readonly<Record<string, Format>> = { '.svg': 'svg', '.dot': 'dot', '.gv': 'dot' };

function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/**
 * `weft visualize <file>`: the graph as Mermaid, DOT or SVG. Only the structure is checked, so
 * step modules need not resolve. SVG is laid out on the kernel's worker pool, hence the factory.
 */
export function createVisualizeCommand(workers: WorkerPool): Command {
  return {
    name: 'visualize',
    summary: 'Draw a pipeline as Mermaid, DOT or SVG',
    args: '<file>',
    positionals: { min: 1, max: 1 },
    description:
      'Steps are drawn with their name and id, conditions as edge labels, loops (back edges) dashed, joins as hexagons.\n' +
      'Without --format, an -o file ending in .svg or .dot/.gv picks that format; otherwise Mermaid.\n' +
      'Step modules are not loaded. Exit status: 0 drawn, 1 invalid file, 2 usage error.',
    options: {
      format: { type: 'string', value: FORMATS.join('|'), description: 'Output format (default mermaid)' },
      output: { type: 'string', short: 'o', value: '<file>', description: 'Write to this file instead of stdout' },
      steps: { ...stepsOption, description: 'Accepted like run and validate; drawing does not resolve steps' },
    },
    async run({ positionals, values, io, services }) {
      const output = values['output'] as string | undefined;
      const requested = (values['format'] as string | undefined) ?? (output === undefined ? undefined : BY_EXTENSION[extname(output).toLowerCase()]) ?? 'mermaid';
      if (!isFormat(requested)) {
        return usage(io, new WeftError(KernelErrors.CLI_USAGE, `--format must be one of ${FORMATS.join(', ')}; got "${requested}"`, { path: '--format' }));
      }
      const file = positionals[0]!;
      // An unreadable, unparsable or non-object file is reported like any other validation error.
      const report: ValidationReport & { def?: PipelineDef } = await services
        .get('pipeline')
        .validate(resolve(io.cwd, file), { skipSteps: true })
        .catch((e: unknown) => {
          const error = toWeftError(e, PipelineErrors.FILE_UNREADABLE);
          return { valid: false, errors: [{ code: error.code, message: error.message, path: error.path ?? '' }], warnings: [] };
        });
      for (const issue of report.warnings) io.stderr(`${file}: warning ${issue.path}: ${issue.message} [${issue.code}]\n`);
      if (!report.valid || report.def === undefined) {
        for (const issue of report.errors) io.stderr(`${file}: error ${issue.path || '(root)'}: ${issue.message} [${issue.code}]\n`);
        io.stderr(`${file} cannot be drawn: ${report.errors.length} error(s)\n`);
        return 1;
      }
      const drawing = await drawPipeline(report.def, requested, workers);
      if (output === undefined) {
        io.stdout(drawing);
        return 0;
      }
      const target = resolve(io.cwd, output);
      try {
        await writeFile(target, drawing);
      } catch (e: unknown) {
        throw new WeftError(PipelineErrors.OUTPUT_UNWRITABLE, `Cannot write ${target}: ${(e as NodeJS.ErrnoException).code}; check that its folder exists and is writable`, { cause: e, path: '--output' });
      }
      io.stdout(`Wrote ${requested} drawing of ${file} to ${target}\n`);
      return 0;
    },
  };
}
