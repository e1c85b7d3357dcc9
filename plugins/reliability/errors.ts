import { defineErrors } from '#kernel';

/** Error codes of the reliability plugin. */
export const ReliabilityErrors = defineErrors('RELIABILITY', {
  ALERT_CHANNEL_DUPLICATE: 'Two alert channels share a name.',
  ALERT_CHANNEL_INVALID: 'An alert channel in plugins.reliability.alerts.channels is malformed (a webhook without a valid http(s) url).',
  ALERT_CHANNEL_UNKNOWN: 'An alert was addressed to a channel nobody registered; the alert manager logs it and delivers to the others.',
  ALERT_RULE_INVALID: 'An alert rule is malformed: a missing name, metric or threshold, an unknown op, type or severity, a negative cooldown, or a name used twice.',
  ALERT_UNKNOWN: 'No stored alert has the given id.',
  ALERT_WEBHOOK_FAILED: 'A webhook alert channel did not get a 2xx answer in time.',
  BUNDLE_INVALID: 'An evidence bundle cannot be read: the file is missing, is not JSON, or lacks the fields of a bundle.',
  EVIDENCE_TAMPERED: 'An evidence bundle was altered: a record, the chain, the signature or the file bytes do not match what was exported.',
  KEY_INVALID: 'The evidence signing key file cannot be read as an Ed25519 private key in PEM.',
});
