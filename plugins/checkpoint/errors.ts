import { defineErrors } from '#kernel';

/** Error codes of the checkpoint plugin. */
export const CheckpointErrors = defineErrors('CHECKPOINT', {
  RUN_NOT_FOUND: 'No run with that id is stored.',
  RUN_ACTIVE: 'The run is executing in another process, which holds its lease; the message names it.',
});
