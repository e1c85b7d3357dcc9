import { resolve } from 'node:path';
import type { Command, JsonObject } from '#kernel';
import { HitlErrors } from './errors.js';
import type { Interaction } from './interactions.js';

const json = { type: 'boolean', description: 'Print JSON' } as const;

function line(it: Interaction): string {
  return `${it.id}  ${it.pipeline}/${it.step_id}  ${it.prompt}${it.expires_at ? `  (expires ${it.expires_at})` : ''}\n`;
}

/** `weft hitl list`: pending interactions, oldest first. */
export const listCommand: Command = {
  name: 'hitl list',
  summary: 'List interactions waiting for a human',
  options: { as: { type: 'string', value: '<user>', description: 'Only interactions this user may answer' }, json },
  async run({ values, io, services }) {
    const user = values['as'] as string | undefined;
    const all = await services.get('hitl').list(user === undefined ? {} : { assignee: user });
    io.stdout(values['json'] === true ? `${JSON.stringify(all, null, 2)}\n` : all.length ? all.map(line).join('') : 'No interactions are waiting.\n');
    return 0;
  },
};

/** `weft hitl show <id>`: one pending interaction with its form. */
export const showCommand: Command = {
  name: 'hitl show',
  summary: 'Show a pending interaction and its form',
  args: '<interaction-id>',
  positionals: { min: 1, max: 1 },
  options: { json },
  async run({ positionals, values, io, services }) {
    const it = await services.get('hitl').get(positionals[0]!);
    io.stdout(values['json'] === true ? `${JSON.stringify(it, null, 2)}\n` : `${line(it)}run ${it.run_id}\nform ${JSON.stringify(it.ui_schema)}\n`);
    return 0;
  },
};

/** `weft hitl respond <id> --input <json>`: answers an interaction and resumes its run here. */
export const respondCommand: Command = {
  name: 'hitl respond',
  summary: 'Answer an interaction; its run resumes in this process',
  args: '<interaction-id>',
  positionals: { min: 1, max: 1 },
  options: {
    input: { type: 'string', value: '<json>', description: 'The response, a JSON object' },
    as: { type: 'string', value: '<user>', description: 'Who answers (checked against the assignees)' },
    pipeline: { type: 'string', value: '<file>', description: "Resume with this pipeline file as it is now (the run's own file after an edit), as weft resume --pipeline" },
    json,
  },
  async run({ positionals, values, io, services }) {
    let response: unknown;
    let why = '';
    try {
      response = JSON.parse(String(values['input'] ?? ''));
    } catch (e: unknown) {
      why = `: ${(e as Error).message}`;
    }
    // A response that is no JSON object is a usage error (exit 2), coded so scripts can branch on it.
    if (response === null || typeof response !== 'object' || Array.isArray(response)) {
      io.stderr(`error [${HitlErrors.INPUT_MALFORMED}]: --input must be a JSON object${why}\n`);
      return 2;
    }
    const actor = values['as'] as string | undefined;
    const file = values['pipeline'] as string | undefined;
    const result = await services.get('hitl').respond(positionals[0]!, response as JsonObject, { ...(actor === undefined ? {} : { actor }), ...(file === undefined ? {} : { pipeline: resolve(io.cwd, file) }) });
    io.stdout(values['json'] === true ? `${JSON.stringify(result, null, 2)}\n` : `${result.pipeline}: ${result.status} (run ${result.run_id})\n`);
    return result.status === 'failed' ? 1 : 0;
  },
};

/** `weft hitl cancel <id>`: cancels an interaction and its run. */
export const cancelCommand: Command = {
  name: 'hitl cancel',
  summary: 'Cancel an interaction and its run',
  args: '<interaction-id>',
  positionals: { min: 1, max: 1 },
  options: {
    reason: { type: 'string', value: '<text>', description: 'Why (stored in the run.cancelled event)' },
    as: { type: 'string', value: '<user>', description: 'Who cancels' },
  },
  async run({ positionals, values, io, services }) {
    const actor = values['as'] as string | undefined;
    const done = await services.get('hitl').cancel(positionals[0]!, (values['reason'] as string | undefined) ?? 'cancelled', actor === undefined ? {} : { actor });
    io.stdout(`run ${done.run_id} cancelled\n`);
    return 0;
  },
};
