import { defineErrors } from '#kernel';

/** Error codes of the reliability plugin. */
export const ReliabilityErrors = defineErrors('RELIABILITY', {
  BUDGET_INVALID: 'A cost budget in the configuration is malformed: a field is missing, has the wrong type, is negative, or a name repeats.',
  BUNDLE_INVALID: 'An evidence bundle cannot be read: the file is missing, is not JSON, or lacks the fields of a bundle.',
  EVIDENCE_TAMPERED: 'An evidence bundle was altered: a record, the chain, the signature or the file bytes do not match what was exported.',
  KEY_INVALID: 'The evidence signing key file cannot be read as an Ed25519 private key in PEM.',
  MODE_INVALID: 'An agent mode is not one of explore, execute, escalate.',
});
