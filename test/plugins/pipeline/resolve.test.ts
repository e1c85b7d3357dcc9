// Step resolution (spec §2): a registered step_class first, otherwise the module export named
// step_class (or its default export), imported relative to the pipeline file by the kernel's loader.
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importModule, KernelErrors, WeftError, type StepImplementation } from '#kernel';
import { PipelineErrors } from '../../../plugins/pipeline/errors.js';
import type { StepDef } from '../../../plugins/pipeline/model.js';
import { normalise } from '../../../plugins/pipeline/normalise.js';
import { isStepClass, resolveStep } from '../../../plugins/pipeline/resolve.js';

const units = fileURLToPath(new URL('../../../../test/fixtures/pipelines/units/', import.meta.url));

/** A step as the normaliser makes it from `raw`, placed at steps[1]. */
function step(raw: Record<string, unknown>): StepDef {
  return normalise({ name: 'p', steps: [{ id: 'first' }, { id: 'draft', ...raw }], flow: { start_at: 'first' } }, units).steps[1]!;
}

const registered = new Map<string, StepImplementation>([['DraftStep', async () => ({ registered: true })]]);
const lookup = (name: string): StepImplementation | undefined => registered.get(name);
const resolve = (raw: Record<string, unknown>): Promise<StepImplementation> => resolveStep(step(raw), lookup, units, importModule);

async function failure(raw: Record<string, unknown>): Promise<WeftError> {
  try {
    await resolve(raw);
  } catch (e: unknown) {
    assert.instance(e, WeftError);
    assert.is((e as WeftError).code, PipelineErrors.STEP_UNRESOLVED);
    assert.equal((e as WeftError).data, { step_id: 'draft' });
    return e as WeftError;
  }
  throw new Error('expected PIPELINE_STEP_UNRESOLVED');
}

const resolveSuite = suite('resolve');

resolveSuite('a registered step_class wins, even when the step names a module', async () => {
  assert.is(await resolve({ step_class: 'DraftStep' }), registered.get('DraftStep'));
  assert.is(await resolve({ step_class: 'DraftStep', module: './steps.mjs' }), registered.get('DraftStep'));
  assert.is(await resolve({ class: 'DraftStep' }), registered.get('DraftStep'), 'class is an alias');
});

resolveSuite('otherwise the export named step_class of the module, relative to the pipeline folder', async () => {
  const mod = await importModule('./steps.mjs', units);
  assert.is(await resolve({ step_class: 'review', module: './steps.mjs' }), mod['review']);
  const unregistered = await resolveStep(step({ step_class: 'DraftStep', module: './steps.mjs' }), () => undefined, units, importModule);
  assert.is(unregistered, mod['DraftStep']);
});

resolveSuite('a module without step_class gives its default export', async () => {
  const mod = await importModule('./steps.mjs', units);
  assert.is(await resolve({ module: './steps.mjs' }), mod['default']);
});

resolveSuite('TypeScript modules load through the kernel loader', async () => {
  const impl = await resolve({ step_class: 'SummariseStep', module: './steps.ts' });
  assert.ok(isStepClass(impl));
});

resolveSuite('a module may name an installed package, resolved from the pipeline folder', async () => {
  // Any installed package with a function export will do; semver is one weft already depends on.
  const semver = await import('semver');
  assert.is(await resolve({ step_class: 'valid', module: 'semver' }), semver.valid);
});

resolveSuite('an unregistered step_class without module names the class and what to do', async () => {
  const error = await failure({ step_class: 'Missing' });
  assert.is(error.path, 'steps[1].step_class');
  assert.ok(error.message.includes('"Missing" is not registered') && error.message.includes('--steps'), error.message);
  const none = await failure({});
  assert.ok(none.message.includes('"(none)"'), none.message);
});

resolveSuite('a module that cannot be loaded is reported at steps[i].module, keeping the cause', async () => {
  const error = await failure({ step_class: 'X', module: './no-such-steps.mjs' });
  assert.is(error.path, 'steps[1].module');
  assert.ok(error.message.includes('./no-such-steps.mjs'), error.message);
  assert.instance(error.cause, WeftError);
  assert.is((error.cause as WeftError).code, KernelErrors.MODULE_LOAD_FAILED);
});

resolveSuite('a missing or non-function export is reported at the field that named it', async () => {
  const named = await failure({ step_class: 'NoSuchStep', module: './steps.mjs' });
  assert.is(named.path, 'steps[1].step_class');
  assert.ok(named.message.includes('no function or class export "NoSuchStep"'), named.message);
  assert.is((await failure({ step_class: 'notAStep', module: './steps.mjs' })).path, 'steps[1].step_class');
  const byDefault = await failure({ module: './conditions.ts' });
  assert.is(byDefault.path, 'steps[1].module');
  assert.ok(byDefault.message.includes('"default"'), byDefault.message);
});

resolveSuite('isStepClass: a class with run() is constructed per run; functions are called', () => {
  class WithRun {
    run(): object {
      return {};
    }
  }
  class WithoutRun {}
  assert.ok(isStepClass(WithRun));
  assert.not.ok(isStepClass(WithoutRun as never));
  assert.not.ok(isStepClass(function plain() {
    return {};
  }));
  assert.not.ok(isStepClass(async () => ({})));
  assert.not.ok(isStepClass(() => ({})));
});

resolveSuite.run();
