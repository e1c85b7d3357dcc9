import { defineErrors } from '#kernel';

/** Error codes of the `plugins` plugin (the `weft plugins …` commands). */
export const PluginsErrors = defineErrors('PLUGINS', {
  HAS_DEPENDENTS: 'A plugin cannot be disabled while enabled plugins depend on it.',
  DISABLE_SELF: 'The plugins plugin cannot disable itself: nothing could enable it again.',
});
