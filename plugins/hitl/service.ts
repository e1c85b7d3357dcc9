import { WeftError, type JsonObject, type KeyValueStore, type RunEvent, type RunResult, type RunStartedEvent, type ServiceReader } from '#kernel';
import { HitlErrors } from './errors.js';
import { interactionOf, type Interaction } from './interactions.js';
import { validateResponse } from './ui-schema.js';
import { decide, type DecisionRule } from './votes.js';

/** Filters of `hitl.list`. */
export interface InteractionFilter {
  run_id?: string;
  pipeline?: string;
  /** Only interactions this user may answer (no assignees, or among them). */
  assignee?: string;
}

/** The `hitl` service: pending interactions, answered or cancelled exactly once. */
export interface HitlService {
  /** Pending interactions, oldest first; expired ones get their default action (or fail their run) first. */
  list(filter?: InteractionFilter): Promise<Interaction[]>;
  /** One pending interaction; HITL_NOT_FOUND, or the code of what already happened to it. */
  get(id: string): Promise<Interaction>;
  /**
   * Validates, claims and applies a response, resuming the run; resolves to the run's result.
   * `pipeline`: resume with this pipeline file as it is now, as `weft resume --pipeline` does (the
   * run's own file after an edit).
   */
  respond(id: string, response: JsonObject, options?: { actor?: string; pipeline?: string }): Promise<RunResult>;
  /** Cancels the interaction and its run. */
  cancel(id: string, reason?: string, options?: { actor?: string }): Promise<{ run_id: string; status: 'cancelled' }>;
}

/** Who settled an interaction, and how; stored under its claim key. */
interface Claim {
  kind: 'answer' | 'cancel' | 'expire';
  by: string;
}

/** How long a settled interaction's claim (and a stakeholder's vote) is kept, to name what happened to it. */
const CLAIM_TTL_SECONDS = 86_400;
const TIMEOUT_ACTOR = 'system:timeout';

/** Options of the hitl service. */
export interface HitlOptions {
  /**
   * How long a claim holds before its response is stored in the run (run.resumed): a process that
   * dies between claiming and resuming blocks the interaction only this long.
   */
  lease_seconds: number;
}

/** Builds the hitl service over the kernel's services. */
export function createHitlService(services: ServiceReader, options: HitlOptions, now: () => number = Date.now): { service: HitlService; recorded(event: RunEvent): Promise<void> } {
  const kv = (): Promise<KeyValueStore> => services.get('storage').kv();
  const runs = () => services.get('storage').runs();
  /** One question: its id, and the suspension that asked it (a resumed run may ask again under the same id). */
  const slot = (it: Interaction): string => `${it.id}@${it.suspension_seq}`;
  /** The claim of one question; the latest claim under an id names what happened to it once it is no longer pending. */
  const key = (it: Interaction): string => `hitl:answer:${slot(it)}`;
  const latest = (id: string): string => `hitl:answer:${id}`;

  const store = async (it: Interaction, value: Claim, ttl_seconds: number): Promise<void> => (await kv()).set(latest(it.id), JSON.stringify(value), { ttl_seconds });
  /** Takes the interaction for one answer, cancel or expiry, for the lease; `settle` then keeps it. */
  const claim = async (it: Interaction, value: Claim): Promise<boolean> => {
    const won = await (await kv()).setIfAbsent(key(it), JSON.stringify(value), { ttl_seconds: options.lease_seconds });
    if (won) await store(it, value, options.lease_seconds);
    return won;
  };
  const settle = async (it: Interaction, value: Claim): Promise<void> => {
    await (await kv()).set(key(it), JSON.stringify(value), { ttl_seconds: CLAIM_TTL_SECONDS });
    await store(it, value, CLAIM_TTL_SECONDS);
  };

  /** The error for an interaction that is settled (its claim at `at`) or was never there. */
  const settled = async (id: string, at: string): Promise<WeftError> => {
    const stored = await (await kv()).get(at);
    if (stored === undefined) return new WeftError(HitlErrors.NOT_FOUND, `No pending interaction "${id}"; \`weft hitl list\` shows the pending ones`, { data: { interaction_id: id } });
    const { kind, by } = JSON.parse(stored) as Claim;
    const code = kind === 'answer' ? HitlErrors.ALREADY_ANSWERED : kind === 'cancel' ? HitlErrors.CANCELLED : HitlErrors.EXPIRED;
    const what = kind === 'answer' ? `was answered by ${by}` : kind === 'cancel' ? `was cancelled by ${by}` : 'expired';
    return new WeftError(code, `Interaction "${id}" ${what}; nothing was changed`, { data: { interaction_id: id, by } });
  };

  const history = (runId: string): Promise<RunEvent[]> => services.get('runHistory').events(runId);

  /** Appends a final event after the run's last one; the run store refuses a seq clash. */
  const finish = async (runId: string, event: (seq: number, at: number) => RunEvent): Promise<void> => {
    const store = await runs();
    const last = (await store.events(runId)).at(-1)!;
    await store.append([event(last.seq + 1, now())]);
  };

  /** Claims of runs this process is resuming, by interaction id: kept for good once run.resumed is stored. */
  const resuming = new Map<string, { it: Interaction; claimed: Claim }>();

  const resume = (it: Interaction, response: JsonObject, actor: string, claimed: Claim, pipeline?: string): Promise<RunResult> => {
    resuming.set(it.id, { it, claimed });
    return history(it.run_id)
      .then((events) => services.get('pipeline').resume(events, { response: { step_id: it.step_id, response, actor, interaction_id: it.id }, ...(pipeline === undefined ? {} : { pipeline }) }))
      .catch(async (e: unknown) => {
        // resume() throws only when it refused the run before writing anything (the run executes
        // elsewhere, its file is gone …); a run that fails once resumed is a result. So the
        // response was not stored, and the claim is given back: the question can be answered again.
        const store = await kv();
        await store.deleteIf(key(it), JSON.stringify(claimed));
        await store.deleteIf(latest(it.id), JSON.stringify(claimed));
        throw e;
      })
      .finally(() => resuming.delete(it.id));
  };

  /**
   * One stakeholder's vote: stored once per stakeholder; the vote that decides the rule claims the
   * interaction and resumes the run with `{ decision, decision_type, votes }`. A vote that decides
   * nothing resolves to the run as it stands (waiting for input).
   */
  const vote = async (it: Interaction, response: JsonObject, actor: string, file?: string): Promise<RunResult> => {
    const store = await kv();
    if (!(await store.setIfAbsent(`hitl:vote:${slot(it)}:${actor}`, JSON.stringify(response), { ttl_seconds: CLAIM_TTL_SECONDS }))) {
      throw new WeftError(HitlErrors.ALREADY_ANSWERED, `${actor} has voted on "${it.id}" already; nothing was changed`, { data: { interaction_id: it.id, actor } });
    }
    const votes: Record<string, JsonObject> = {};
    for (const name of it.assignees!) {
      const cast = await store.get(`hitl:vote:${slot(it)}:${name}`);
      if (cast !== undefined) votes[name] = JSON.parse(cast) as JsonObject;
    }
    const rule = it.request['decision_type'] as DecisionRule;
    const decision = decide(rule, it.assignees!.length, Object.values(votes).map((v) => String(v['decision'])));
    const pipeline = services.get('pipeline');
    // Undecided, or decided by a concurrent vote that claimed it first: the run as it stands.
    const answer: Claim = { kind: 'answer', by: actor };
    if (decision === undefined || !(await claim(it, answer))) return pipeline.project(await history(it.run_id));
    return resume(it, { decision, decision_type: rule, votes }, actor, answer, file);
  };

  const expired = (it: Interaction): boolean => it.expires_at !== undefined && Date.parse(it.expires_at) <= now();

  /** Applies an expired interaction's default action, or fails its run; only the claim's winner does. False when the run failed. */
  const expire = async (it: Interaction): Promise<boolean> => {
    const expiry: Claim = { kind: 'expire', by: TIMEOUT_ACTOR };
    if (!(await claim(it, expiry))) return true;
    if (it.default_action) {
      await resume(it, it.default_action, TIMEOUT_ACTOR, expiry);
      return true;
    }
    const error = { code: HitlErrors.EXPIRED, message: `Interaction "${it.id}" expired at ${it.expires_at} without a response`, step_id: it.step_id };
    await finish(it.run_id, (seq, at) => ({ type: 'run.failed', run_id: it.run_id, seq, at, error, output: null }));
    await settle(it, expiry);
    return false;
  };

  /** Expires the overdue interactions of one run one after another (each goes on from the run the last left); one that fails the run ends it. */
  const expireRun = async (overdue: readonly Interaction[]): Promise<void> => {
    for (const it of overdue) if (!(await expire(it))) return;
  };

  /** The interactions a run is waiting on, read from its events. */
  const waitingIn = async (runId: string): Promise<Interaction[]> => {
    const events = await history(runId);
    const { pipeline } = events[0] as RunStartedEvent;
    return services.get('pipeline').waiting(events).map((suspended) => interactionOf(suspended, pipeline));
  };

  const pending = async (): Promise<Interaction[]> => {
    const store = await runs();
    const waiting = await store.list({ status: 'waiting_for_input', limit: Number.MAX_SAFE_INTEGER });
    const found = await Promise.all(waiting.map((run) => waitingIn(run.run_id)));
    return found.flat().sort((a, b) => a.created_at.localeCompare(b.created_at));
  };

  /** Pending interactions, after expiring those past their deadline. */
  const live = async (): Promise<Interaction[]> => {
    const all = await pending();
    const overdue = new Map<string, Interaction[]>();
    for (const it of all.filter(expired)) overdue.set(it.run_id, [...(overdue.get(it.run_id) ?? []), it]);
    await Promise.all([...overdue.values()].map(expireRun));
    return all.filter((it) => !expired(it));
  };

  /** The interaction an id of the form `<run_id>:<step_id>:<iteration>` names, read from that run alone. */
  const named = async (id: string): Promise<Interaction | undefined> => {
    const runId = /^(.+):[^:]+:\d+$/.exec(id)?.[1];
    if (runId === undefined || (await (await runs()).get(runId))?.status !== 'waiting_for_input') return undefined;
    return (await waitingIn(runId)).find((it) => it.id === id);
  };

  /** A pending interaction by id: read directly when the id names its run, else found among all waiting runs. */
  const find = async (id: string): Promise<Interaction> => {
    const it = (await named(id)) ?? (await pending()).find((i) => i.id === id);
    if (it === undefined) throw await settled(id, latest(id));
    if (expired(it)) {
      await expire(it);
      throw await settled(id, key(it));
    }
    return it;
  };

  /** Called after the checkpoint plugin stored an event: a stored run.resumed makes its claim permanent. */
  const recorded = async (event: RunEvent): Promise<void> => {
    const claimed = event.type === 'run.resumed' ? resuming.get(event.interaction_id ?? '') : undefined;
    if (claimed) await settle(claimed.it, claimed.claimed);
  };

  const service: HitlService = {
    async list(filter = {}) {
      return (await live()).filter(
        (it) =>
          (filter.run_id === undefined || it.run_id === filter.run_id) &&
          (filter.pipeline === undefined || it.pipeline === filter.pipeline) &&
          (filter.assignee === undefined || it.assignees === undefined || it.assignees.includes(filter.assignee)),
      );
    },
    get: find,
    async respond(id, response, options = {}) {
      const it = await find(id);
      const actor = options.actor ?? 'anonymous';
      if (it.assignees !== undefined && !it.assignees.includes(actor)) {
        throw new WeftError(HitlErrors.NOT_ASSIGNED, `${actor} is not among the assignees of "${id}" (${it.assignees.join(', ')}); answer as one of them`, { data: { interaction_id: id, actor } });
      }
      validateResponse(it.ui_schema, response);
      if (it.request['decision_type'] !== undefined) return vote(it, response, actor, options.pipeline);
      const answer: Claim = { kind: 'answer', by: actor };
      if (!(await claim(it, answer))) throw await settled(id, key(it));
      return resume(it, response, actor, answer, options.pipeline);
    },
    async cancel(id, reason = 'cancelled', options = {}) {
      const it = await find(id);
      const actor = options.actor ?? 'anonymous';
      const cancel: Claim = { kind: 'cancel', by: actor };
      if (!(await claim(it, cancel))) throw await settled(id, key(it));
      await finish(it.run_id, (seq, at) => ({ type: 'run.cancelled', run_id: it.run_id, seq, at, reason }));
      await settle(it, cancel);
      return { run_id: it.run_id, status: 'cancelled' };
    },
  };
  return { service, recorded };
}
