import { WeftError } from '#kernel';
import { classifyAction } from './action-words.js';
import { ReliabilityErrors } from './errors.js';

/** explore reads only; execute reads and writes; escalate needs an approval for each action. */
export type Mode = 'explore' | 'execute' | 'escalate';

/** Every mode, in the order they grant more. */
export const MODES: readonly Mode[] = ['explore', 'execute', 'escalate'];

/** A rule an agent broke (reference §3.3). */
export interface Violation {
  agent: string;
  declared_mode: Mode;
  attempted_action: string;
  tool?: string;
  violation_type: 'write_in_explore' | 'no_approval' | 'mode_mismatch';
  details: string;
  /** Epoch ms. */
  at: number;
}

/** The answer of canExecute; a denial carries the violation it recorded. */
export interface Decision {
  allowed: boolean;
  reason: string;
  violation?: Violation;
}

/** What an approval callback is asked about. */
export interface ApprovalRequest {
  agent: string;
  action: string;
  tool?: string;
  /** The message given to requireApproval. */
  message: string;
}

/** Decides one escalated action; a truthy result approves, a throw or rejection does not. */
export type Approver = (request: ApprovalRequest) => unknown;

/** Enforcer options: the clock stamping violations, and how many violations are kept (oldest go first). */
export interface ModeEnforcerOptions {
  now?: () => number;
  max_violations?: number;
}

/**
 * Per-agent operating modes. Unlike the reference, an action is judged by whole words of both the
 * tool name and the action (see classifyAction), so a read-looking tool cannot mask a write.
 */
export class ModeEnforcer {
  readonly #now: () => number;
  readonly #max: number;
  readonly #modes = new Map<string, Mode>();
  readonly #approvals = new Map<string, { message: string; approver?: Approver }>();
  #violations: Violation[] = [];

  constructor(options: ModeEnforcerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#max = options.max_violations ?? 10_000;
  }

  /** Puts an agent in a mode; a name outside MODES throws RELIABILITY_MODE_INVALID. */
  setMode(agent: string, mode: Mode): void {
    this.#modes.set(agent, checked(mode));
  }

  /** The agent's mode, or undefined before one is set. */
  modeOf(agent: string): Mode | undefined {
    return this.#modes.get(agent);
  }

  /** Puts the agent in escalate mode; each action then needs `approver` (without one, each is denied). */
  requireApproval(agent: string, message: string, approver?: Approver): void {
    this.#modes.set(agent, 'escalate');
    this.#approvals.set(agent, approver === undefined ? { message } : { message, approver });
  }

  /** Approves every escalated action of the agent until revoked; the mode is unchanged. */
  grantApproval(agent: string): void {
    this.#approvals.set(agent, { message: this.#approvals.get(agent)?.message ?? '', approver: () => true });
  }

  /** Removes the agent's approver, so its escalated actions are denied again. */
  revokeApproval(agent: string): void {
    const current = this.#approvals.get(agent);
    if (current !== undefined) this.#approvals.set(agent, { message: current.message });
  }

  /** Whether the agent may perform `action` (with `tool`) now; a denial is recorded as a violation. */
  async canExecute(agent: string, action: string, tool?: string): Promise<Decision> {
    const mode = this.#modes.get(agent);
    if (mode === undefined) return { allowed: true, reason: 'no mode set' };
    if (mode === 'execute') return { allowed: true, reason: 'execute mode allows reads and writes' };
    if (mode === 'explore') {
      const { kind, word } = classifyAction(action, tool);
      if (kind !== 'write') return { allowed: true, reason: kind === 'read' ? `explore mode allows reads ("${word}")` : 'explore mode: no write word in the action or tool' };
      return this.#deny({ agent, mode, action, tool, type: 'write_in_explore', details: `"${word}" is a write; explore mode is read-only` });
    }
    const approval = this.#approvals.get(agent);
    const message = approval?.message ?? '';
    if (approval?.approver === undefined) return this.#deny({ agent, mode, action, tool, type: 'no_approval', details: `no approver${message ? `: ${message}` : ''}` });
    let approved: unknown;
    try {
      approved = await approval.approver(tool === undefined ? { agent, action, message } : { agent, action, tool, message });
    } catch (e: unknown) {
      // A failing approver must not open the gate; the violation keeps its message for the operator.
      return this.#deny({ agent, mode, action, tool, type: 'no_approval', details: `the approver failed: ${e instanceof Error ? e.message : String(e)}` });
    }
    if (approved) return { allowed: true, reason: 'approved' };
    return this.#deny({ agent, mode, action, tool, type: 'no_approval', details: `not approved${message ? `: ${message}` : ''}` });
  }

  /** Checks an agent acted in the mode it declared; a mismatch is recorded. Returns whether they match. */
  validateMode(agent: string, declared: Mode, actual: Mode): boolean {
    if (checked(declared) === checked(actual)) return true;
    this.#record({ agent, declared_mode: declared, attempted_action: 'mode_declaration', violation_type: 'mode_mismatch', details: `declared ${declared} but acted in ${actual}`, at: this.#now() });
    return false;
  }

  /** Recorded violations, oldest first; only the agent's when given. */
  violations(agent?: string): Violation[] {
    return this.#violations.filter((v) => agent === undefined || v.agent === agent);
  }

  /** How many violations are recorded (for the agent when given). */
  count(agent?: string): number {
    return this.violations(agent).length;
  }

  /** Forgets the recorded violations (the agent's only when given). */
  clear(agent?: string): void {
    this.#violations = agent === undefined ? [] : this.#violations.filter((v) => v.agent !== agent);
  }

  #deny(d: { agent: string; mode: Mode; action: string; tool: string | undefined; type: Violation['violation_type']; details: string }): Decision {
    const violation: Violation = { agent: d.agent, declared_mode: d.mode, attempted_action: d.action, ...(d.tool === undefined ? {} : { tool: d.tool }), violation_type: d.type, details: d.details, at: this.#now() };
    this.#record(violation);
    return { allowed: false, reason: d.details, violation };
  }

  #record(violation: Violation): void {
    this.#violations.push(violation);
    if (this.#violations.length > this.#max) this.#violations.splice(0, this.#violations.length - this.#max);
  }
}

function checked(mode: Mode): Mode {
  if (MODES.includes(mode)) return mode;
  throw new WeftError(ReliabilityErrors.MODE_INVALID, `Unknown agent mode "${String(mode)}": use one of ${MODES.join(', ')}`, { data: { mode } });
}
