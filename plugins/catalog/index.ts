import { WeftError, definePlugin, type CatalogEntry, type Command, type PipelineCatalogService } from '#kernel';
import { importPipelines, pipelineFiles, type Found, type ImportOutcome, type Validate } from './importer.js';
import { createCatalogService } from './service.js';

declare module '#kernel' {
  interface Services {
    pipelineCatalog: PipelineCatalogService;
  }
}

export { CatalogErrors } from './errors.js';

function line(outcome: ImportOutcome): string {
  if (outcome.action === 'error') return `  ✗ ${outcome.file}: [${outcome.error.code}] ${outcome.error.message}`;
  if (outcome.action === 'skipped') return `  - ${outcome.file}: skipped (${outcome.reason})`;
  return `  ${outcome.action === 'unchanged' ? '=' : '✓'} ${outcome.file}: ${outcome.name}@${outcome.revision} ${outcome.action}`;
}

/**
 * The pipeline catalogue: `weft pipelines import` stores definitions by name with a content hash
 * (re-importing unchanged content is a no-op; changed content is a new revision), and
 * `weft run <name>[@revision|@version]` runs a stored one.
 */
export default definePlugin({
  name: 'catalog',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['pipeline', 'storage'],
  description: 'Stored pipeline definitions: weft pipelines import|list, weft run <name>[@version]',
  setup(ctx) {
    const storage = ctx.services.get('storage');
    const validate: Validate = async (file) => {
      try {
        const report = await ctx.services.get('pipeline').validate(file, { skipSteps: true });
        return { valid: report.valid, errors: report.errors, ...(report.def ? { pipeline: { document: report.def.raw, hash: report.def.hash } } : {}) };
      } catch (e: unknown) {
        const error = e as WeftError;
        return { valid: false, errors: [{ code: error.code, message: error.message, path: '' }] };
      }
    };
    ctx.services.provide('pipelineCatalog', createCatalogService(() => storage.catalog()));
    const importCommand: Command = {
      name: 'pipelines import',
      summary: 'Store pipeline files in the catalogue (a file, or the pipeline files in a folder)',
      args: '<dir|file>...',
      positionals: { min: 1, max: Infinity },
      description: 'In a folder, cases.json (weft test cases) and weft.config.json are skipped; a folder with no pipeline files is an error. Exit status: 0, or 1 when any file or folder failed.',
      options: { json: { type: 'boolean', description: 'Print the outcome of each file as JSON' } },
      async run({ positionals, values, io }) {
        const found = await Promise.all(positionals.map((p) => pipelineFiles(p).catch((): Found => ({ files: [p], outcomes: [] }))));
        const imported = await importPipelines(found.flatMap((f) => f.files), validate, await storage.catalog());
        const outcomes = [...imported, ...found.flatMap((f) => f.outcomes)];
        const count = (action: string) => outcomes.filter((o) => o.action === action).length;
        if (values['json'] === true) io.stdout(`${JSON.stringify(outcomes, null, 2)}\n`);
        else io.stdout(`${outcomes.map(line).join('\n')}\nimported ${count('imported')}, updated ${count('updated')}, unchanged ${count('unchanged')}, skipped ${count('skipped')}, errors ${count('error')}\n`);
        return count('error') > 0 ? 1 : 0;
      },
    };
    const listCommand: Command = {
      name: 'pipelines list',
      summary: 'List the pipelines in the catalogue (latest revision of each)',
      options: { json: { type: 'boolean', description: 'Print the entries as JSON (with their definitions)' } },
      async run({ values, io }) {
        const entries: CatalogEntry[] = await (await storage.catalog()).list();
        if (values['json'] === true) io.stdout(`${JSON.stringify(entries, null, 2)}\n`);
        else io.stdout(entries.length ? entries.map((e) => `${e.name}@${e.revision}  version ${e.version}  ${e.hash.slice(0, 12)}  ${e.created_at}${e.source ? `  ${e.source}` : ''}`).join('\n') + '\n' : 'The catalogue is empty; add pipelines with `weft pipelines import <dir>`.\n');
        return 0;
      },
    };
    ctx.hooks.tap('kernel.commands', (commands) => {
      commands.add(importCommand);
      commands.add(listCommand);
    });
  },
});
