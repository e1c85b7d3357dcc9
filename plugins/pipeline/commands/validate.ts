import { WeftError, type Command } from '#kernel';
import { formatIssue } from '../schema.js';
import type { ValidationReport } from '../validate.js';
import { readSteps, stepsOption } from './options.js';

/** `weft validate <file>`: reports every problem with its code and JSON path. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check a pipeline file without running it',
  args: '<file>',
  positionals: { min: 1, max: 1 },
  description: 'Exit status: 0 when the file is valid, 1 when it is not.',
  options: {
    json: { type: 'boolean', description: 'Print { valid, errors, warnings } as JSON' },
    strict: { type: 'boolean', description: 'Treat warnings as errors' },
    steps: stepsOption,
  },
  async run({ positionals, values, io, services }) {
    const file = positionals[0]!;
    const path = file.startsWith('/') ? file : `${io.cwd}/${file}`;
    const steps = await readSteps(values['steps'] as string | undefined, io.cwd);
    let report: ValidationReport;
    try {
      const { valid, errors, warnings } = await services.get('pipeline').validate(path, { steps, strict: values['strict'] === true });
      report = { valid, errors, warnings };
    } catch (e: unknown) {
      // The file could not be read or parsed: that is the one problem to report.
      const error = e as WeftError;
      report = { valid: false, errors: [{ code: error.code, message: error.message, path: error.path ?? '' }], warnings: [] };
    }
    if (values['json'] === true) {
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const issue of report.errors) io.stdout(`${file}: error: ${formatIssue(issue)} [${issue.code}]\n`);
      for (const issue of report.warnings) io.stdout(`${file}: warning: ${formatIssue(issue)} [${issue.code}]\n`);
      io.stdout(report.valid ? `${file} is valid\n` : `${file} is invalid: ${report.errors.length} error(s)\n`);
    }
    return report.valid ? 0 : 1;
  },
};
