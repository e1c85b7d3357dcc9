import { performance } from 'node:perf_hooks';
import { WeftError, type Command } from '#kernel';
import { decisionTrail, type DecisionTrail } from './trail.js';

const json = (value: unknown): string => JSON.stringify(value);

/** The trail as Markdown: header, input, path, steps, routing decisions, human responses, errors, outcome. */
export function explainMarkdown(t: DecisionTrail): string {
  const out = [`# ${t.pipeline} run ${t.run_id}`, '', `${t.success ? '✓' : '✗'} ${t.status}, started ${t.started_at}, ${t.duration_ms} ms`, ''];
  out.push('## Input', '', '```json', JSON.stringify(t.input, null, 2), '```', '');
  out.push('## Execution path', '', ...t.execution_path.map((id, i) => `${i + 1}. ${id}`), '');
  out.push('## Steps', '');
  for (const s of t.steps) {
    const mark = s.success ? '✓' : s.recovered ? '↺' : s.error ? '✗' : '…';
    out.push(`- ${mark} **${s.step_id}**${s.iteration > 1 ? ` #${s.iteration}` : ''} (${s.duration_ms.toFixed(1)} ms${s.retries ? `, ${s.retries} ${s.retries === 1 ? 'retry' : 'retries'}` : ''}${s.recovered ? `, recovered by ${s.recovered}` : ''})`);
    out.push(`  - input: \`${json(s.input)}\``);
    if (s.output !== null) out.push(`  - output: \`${json(s.output)}\``);
    if (s.error) out.push(`  - error: [${s.error.code}] ${s.error.message}`);
    for (const c of s.calls) out.push(`  - ${c.success ? '✓' : '✗'} ${c.kind} **${c.name}**${c.model ? ` (${c.model})` : ''}, ${c.duration_ms} ms${c.usage ? `, ${c.usage.input_tokens}+${c.usage.output_tokens} tokens` : ''}: \`${json(c.input ?? null)}\` → ${c.error ? `error: ${c.error}` : `\`${json(c.output ?? null)}\``}`);
    if (s.human) out.push(`  - answered by ${s.human.actor ?? 'unknown'}: \`${json(s.human.response)}\``);
  }
  out.push('', '## Routing decisions', '');
  if (t.routes.length === 0) out.push('None.');
  for (const r of t.routes) {
    out.push(`- after **${r.from}**${r.iteration > 1 ? ` #${r.iteration}` : ''}: ${r.taken.length ? `→ ${r.taken.join(', ')}` : 'no transition held (end)'}`);
    for (const e of r.evaluated) out.push(`  - ${e.held ? '✓' : '✗'} ${e.to}${e.values ? ` ${json(e.values)}` : ''}`);
  }
  if (t.human.length) out.push('', '## Human responses', '', ...t.human.map((h) => `- ${h.step_id}: ${h.actor ?? 'unknown'} at ${h.at}: \`${json(h.response)}\``));
  if (t.errors.length) out.push('', '## Errors', '', ...t.errors.map((e) => `- ${e.step_id}: [${e.code}] ${e.message}`));
  if (t.run_error) out.push('', `Run failed: [${t.run_error.code}] ${t.run_error.message}`);
  out.push('', '## Outcome', '', '```json', JSON.stringify(t.output ?? null, null, 2), '```', '');
  if (t.calls.length) out.push('## Cost', '', `${t.calls.length} ${t.calls.length === 1 ? 'call' : 'calls'}, ${t.tokens_used} tokens, $${t.cost_usd.toFixed(4)}`, '');
  return out.join('\n');
}

/** `weft explain <run-id>`: the run's decision trail, as Markdown or JSON. */
export const explainCommand: Command = {
  name: 'explain',
  summary: "Explain a stored run: its path, each routing decision's values, steps, human responses, errors",
  args: '<run-id>',
  positionals: { min: 1, max: 1 },
  options: { format: { type: 'string', value: '<md|json>', description: 'Markdown (default) or JSON' } },
  async run({ positionals, values, io, services }) {
    const format = values['format'] ?? 'md';
    if (format !== 'md' && format !== 'json') throw new WeftError('KERNEL_CLI_USAGE', '--format must be md or json');
    const reliability = services.get('reliability');
    const t0 = performance.now();
    const events = await services.get('runHistory').events(positionals[0]!);
    const trail = decisionTrail(events, services.get('pipeline').project(events), reliability.price);
    const text = format === 'json' ? `${JSON.stringify(trail, null, 2)}\n` : explainMarkdown(trail);
    // Mean time to explain: from asking for a run to having its decisions rendered.
    await reliability.measure({ kind: 'mtte', run_id: trail.run_id, pipeline: trail.pipeline, at: Date.now(), success: true, duration_ms: performance.now() - t0 });
    io.stdout(text);
    return 0;
  },
};
