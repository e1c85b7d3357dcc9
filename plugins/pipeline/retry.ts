import { WeftError, type RunError } from '#kernel';
import { PipelineErrors } from './errors.js';
import type { RetryPolicy } from './model.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** Error categories used to decide whether an attempt is retried (reference §1.10, classified first). */
export type ErrorCategory = 'network' | 'timeout' | 'dependency' | 'validation' | 'unknown';

/** Classifies a thrown value. Network, timeout and dependency failures are retryable. */
export function categorise(error: unknown): ErrorCategory {
  if (error instanceof WeftError && error.code === PipelineErrors.STEP_TIMEOUT) return 'timeout';
  if (!(error instanceof Error)) return 'unknown';
  const tagged = (error as { category?: unknown }).category;
  if (tagged === 'network' || tagged === 'timeout' || tagged === 'dependency' || tagged === 'validation') return tagged;
  const name = `${error.name} ${error.constructor.name}`.toLowerCase();
  const code = String((error as { code?: unknown }).code ?? '');
  if (name.includes('timeout') || error.message.toLowerCase().includes('timeout') || code === 'ETIMEDOUT') return 'timeout';
  if (NETWORK_CODES.has(code) || /connection|network|http|fetch/.test(name)) return 'network';
  if (/validation|schema|typeerror/.test(name)) return 'validation';
  if (/database|sql|dependency/.test(name) || /database|sql/.test(error.message.toLowerCase())) return 'dependency';
  return 'unknown';
}

/** Whether another attempt may follow this error. */
export function isRetryable(error: unknown): boolean {
  const flag = error instanceof Error ? (error as { retryable?: unknown }).retryable : undefined;
  if (typeof flag === 'boolean') return flag;
  const category = categorise(error);
  return category === 'network' || category === 'timeout' || category === 'dependency';
}

/**
 * Delay in milliseconds before attempt `attempt + 1`, after `attempt` failed (1-based):
 * `min(initial_delay · base^(attempt−1), max_delay)`, jitter adding up to half again but never past max_delay.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.initial_delay * policy.exponential_base ** (attempt - 1), policy.max_delay);
  const jittered = policy.jitter ? Math.min(base * (1 + random() * 0.5), policy.max_delay) : base;
  return Math.round(jittered * 1000);
}

/** The coded error object recorded in events and results. */
export function runError(error: unknown, stepId?: string): RunError {
  const weft = error instanceof WeftError ? error : undefined;
  const code = weft ? weft.code : PipelineErrors.STEP_FAILED;
  const message = error instanceof Error ? error.message : `Step threw a non-Error value: ${describeValue(error)}`;
  const out: RunError = { code, message };
  if (stepId !== undefined) out.step_id = stepId;
  if (weft?.path !== undefined) out['path'] = weft.path;
  if (!weft && error instanceof Error) {
    out['category'] = categorise(error);
    out.retryable = isRetryable(error);
  }
  return out;
}

function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
