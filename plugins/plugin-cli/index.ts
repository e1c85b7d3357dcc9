import { definePlugin } from '#kernel';
import { addCommand, disableCommand, enableCommand, listCommand } from './commands.js';

export { PluginsErrors } from './errors.js';

/** The `weft plugins` commands: list, enable, disable and add plugins. */
export default definePlugin({
  name: 'plugins',
  version: '0.1.0',
  kernel: '^1',
  description: 'weft plugins list / enable / disable / add',
  setup(ctx) {
    ctx.hooks.tap('kernel.commands', (commands) => {
      for (const command of [listCommand, enableCommand, disableCommand, addCommand]) commands.add(command);
    });
  },
});
