import { defineErrors } from '#kernel';

/** Error codes of the reliability plugin. */
export const ReliabilityErrors = defineErrors('RELIABILITY', {
  ALERT_CHANNEL_DUPLICATE: 'Two alert channels share a name.',
  ALERT_CHANNEL_INVALID: 'An alert channel in plugins.reliability.alerts.channels is malformed (a webhook without a valid http(s) url).',
  ALERT_CHANNEL_UNKNOWN: 'An alert was addressed to a channel nobody registered; the alert manager logs it and delivers to the others.',
  ALERT_RULE_INVALID: 'An alert rule is malformed: a missing name or threshold, a metric the watch does not compute, an unknown op, type or severity, a negative cooldown, or a name used twice.',
  ALERT_UNKNOWN: 'No stored alert has the given id.',
  ALERT_WEBHOOK_FAILED: 'A webhook alert channel did not get a 2xx answer in time.',
  BREAKER_OPEN: 'A step was not run because the circuit breaker of its step type is open.',
  BUDGET_EXCEEDED: 'A cost budget with stop_run is spent; the run was halted before its next step.',
  BUDGET_INVALID: 'A cost budget in the configuration is malformed: a field is missing, has the wrong type, is negative, or a name repeats.',
  BUNDLE_INVALID: 'An evidence bundle cannot be read: the file is missing, is not JSON, or lacks the fields of a bundle.',
  EVIDENCE_TAMPERED: 'An evidence bundle was altered: a record, the chain, the signature or the file bytes do not match what was exported.',
  KEY_INVALID: 'The evidence signing key file cannot be read as an Ed25519 private key in PEM, or cannot be created.',
  MODE_VIOLATION: 'A step was not run because its declared mode does not allow it (a write in explore, an escalate step without approval).',
  MODE_INVALID: 'An agent mode is not one of explore, execute, escalate.',
  OUTPUT_UNWRITABLE: 'An output file (weft evidence export -o) could not be written; nothing was left in its place.',
  RECORD_INVALID: 'A record given to reliability.add lacks a required field or has a field of the wrong type; nothing of that call was stored.',
  REPLAY_FAILED: 'The replay run could not run (its pipeline would not load, or the engine threw).',
  REPLAY_NOT_INSTALLED: 'A replay was asked of a pipeline service whose beforeStep hook lacks the replay tap.',
  REPLAY_NO_PIPELINE: 'The run to replay names no pipeline file or catalogue revision; pass the pipeline to replay it with.',
  REPLAY_OPTION_INVALID: 'A replay option is wrong: an unknown --mode, --input that is not a JSON object or outside counterfactual mode, an unreadable --input-file.',
  REPLAY_UNRECORDED_STEP: 'A strict replay reached a step the recorded run has no outcome for; it is vetoed rather than run for real.',
  SLO_INVALID: 'A pipeline file\'s slo block is malformed: an unknown objective, or a value outside its range; the path names the field.',
});
