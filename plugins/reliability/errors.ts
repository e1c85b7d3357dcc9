import { defineErrors } from '#kernel';

/** Error codes of the reliability plugin. */
export const ReliabilityErrors = defineErrors('RELIABILITY', {
  BUNDLE_INVALID: 'An evidence bundle cannot be read: the file is missing, is not JSON, or lacks the fields of a bundle.',
  EVIDENCE_TAMPERED: 'An evidence bundle was altered: a record, the chain, the signature or the file bytes do not match what was exported.',
  KEY_INVALID: 'The evidence signing key file cannot be read as an Ed25519 private key in PEM.',
  REPLAY_OPTION_INVALID: 'A replay option is wrong: an unknown --mode, --input that is not a JSON object or outside counterfactual mode, an unreadable --input-file.',
  REPLAY_NO_PIPELINE: 'The run to replay names no pipeline file; pass the pipeline to replay it with.',
  REPLAY_NOT_INSTALLED: 'A replay was asked of a pipeline service whose beforeStep hook lacks the replay tap.',
  REPLAY_UNRECORDED_STEP: 'A strict replay reached a step the recorded run has no outcome for; it is vetoed rather than run for real.',
  REPLAY_FAILED: 'The replay run could not run (its pipeline would not load, or the engine threw).',
});
