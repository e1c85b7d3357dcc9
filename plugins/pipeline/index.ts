import { definePlugin, importModule } from '#kernel';
import { resumeCommand } from './commands/resume.js';
import { runCommand } from './commands/run.js';
import { testCommand } from './commands/test.js';
import { validateCommand } from './commands/validate.js';
import { createVisualizeCommand } from './commands/visualize.js';
import { createPipelineHooks, type PipelineHooks } from './hooks.js';
import { createPipelineService, type PipelineService } from './service.js';

declare module '#kernel' {
  interface Services {
    pipeline: PipelineService;
  }
  interface Hooks extends PipelineHooks {}
}

export type { PipelineService, StepOptions } from './service.js';
export type { PipelineHooks } from './hooks.js';
export type { PipelineDef, StepDef, TransitionDef, ParameterDecl } from './model.js';
export type { ValidationReport } from './validate.js';
export type { ConditionType, PluginCondition, ConditionEnv, ConditionOutcome } from './conditions.js';
export type { Operator } from './operators.js';
export { PipelineErrors } from './errors.js';

/** The pipeline engine: loading, validation, execution and the run/validate/visualize/test commands. */
export default definePlugin({
  name: 'pipeline',
  version: '1.0.0',
  kernel: '^1',
  description: 'Pipeline graphs: load, validate, run, visualize and test',
  setup(ctx) {
    const hooks = createPipelineHooks();
    for (const [name, hook] of Object.entries(hooks)) ctx.hooks.declare(name as keyof PipelineHooks, hook as never);
    const service = createPipelineService(hooks, ctx.services, importModule);
    ctx.services.provide('pipeline', service);
    ctx.hooks.tap('kernel.commands', (commands) => {
      for (const command of [runCommand, resumeCommand, validateCommand, createVisualizeCommand(ctx.workers), testCommand]) commands.add(command);
    });
  },
});
