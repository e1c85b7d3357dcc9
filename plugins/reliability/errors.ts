import { defineErrors } from '#kernel';

/** Error codes of the reliability plugin. */
export const ReliabilityErrors = defineErrors('RELIABILITY', {
  BUNDLE_INVALID: 'An evidence bundle cannot be read: the file is missing, is not JSON, or lacks the fields of a bundle.',
  EVIDENCE_TAMPERED: 'An evidence bundle was altered: a record, the chain, the signature or the file bytes do not match what was exported.',
  KEY_INVALID: 'The evidence signing key file cannot be read as an Ed25519 private key in PEM.',
  MODE_INVALID: 'An agent mode is not one of explore, execute, escalate.',
});
