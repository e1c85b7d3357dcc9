import { performance } from 'node:perf_hooks';
import { applyEnvironment, validateKernelConfig, type RawConfig } from './config.js';
import { KernelErrors, WeftError, toWeftError } from './errors.js';
import { HookRegistry, createKernelHooks, type Hooks } from './hooks.js';
import { childLogger, createLogger } from './logger.js';
import type { AnyPluginDefinition, KernelConfig, Logger, PluginContext } from './plugin.js';
import { resolvePlugins } from './registry.js';
import { compileSchema, validateConfig } from './schema.js';
import { ServiceContainer, type ServiceReader, type Services } from './services.js';
import { createWorkerPool, type WorkerPool } from './workers.js';

type AnyPlugin = AnyPluginDefinition;

/** Options of {@link createKernel}. */
export interface KernelOptions {
  /** Plugin definitions, in the order to boot them where dependencies leave a choice. */
  plugins: readonly AnyPlugin[];
  /** Configuration as written (validated here, defaults filled in); see `loadConfig`. */
  config?: Partial<KernelConfig> | RawConfig;
  /** Working directory plugins resolve files against. Default `process.cwd()`. */
  cwd?: string;
  /** Environment applied over `config` (DATABASE_URL, WEFT_*). Default: none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the kernel and plugins log. Default: warnings and errors to stderr. */
  logger?: Logger;
  /** Services the host provides before any plugin boots (the CLI provides `kernel.plugins`). */
  services?: Partial<Services>;
}

/** How long one plugin's setup took. */
export interface BootTiming {
  name: string;
  version: string;
  ms: number;
}

/** Where a kernel is in its life. */
export type KernelState = 'created' | 'booting' | 'ready' | 'failed' | 'closed';

/** A kernel: boots plugins in dependency order, then serves their services and hooks. */
export interface Kernel extends AsyncDisposable {
  /** The validated configuration. */
  readonly config: KernelConfig;
  readonly cwd: string;
  readonly state: KernelState;
  /** Services the plugins registered (sealed once boot finishes). */
  readonly services: ServiceReader;
  /** Every declared hook, by name: `kernel.hooks.get('kernel.ready')`. */
  readonly hooks: HookRegistry;
  /** The `kernel.ready` hook, called once every plugin has booted. */
  readonly ready: Hooks['kernel.ready'];
  /** The worker pool plugins share. */
  readonly workers: WorkerPool;
  /** Per-plugin setup durations, in boot order. */
  readonly bootTimings: readonly BootTiming[];
  /** The plugins that booted, in boot order. */
  readonly plugins: readonly AnyPlugin[];
  /**
   * Validates every plugin's configuration, then runs each setup in dependency order under the
   * boot timeout. On failure, closes what already booted and rethrows. Idempotent.
   */
  boot(): Promise<void>;
  /**
   * Runs every teardown registered with `ctx.onClose`, plugins in reverse boot order (also after a
   * failed boot), then stops the worker pool. Throws KERNEL_CLOSE_FAILED after all have run if
   * some failed. Idempotent.
   */
  close(): Promise<void>;
}

/** Creates a kernel; nothing runs until `boot()`. Throws KERNEL_CONFIG_INVALID for a bad config. */
export function createKernel(options: KernelOptions): Kernel {
  const raw = { ...options.config };
  applyEnvironment(raw, options.env ?? {});
  const config = validateKernelConfig(raw);
  const cwd = options.cwd ?? process.cwd();
  const logger = options.logger ?? createLogger((line) => process.stderr.write(line));
  const kernelHooks = createKernelHooks();
  const hooks = new HookRegistry(kernelHooks);
  const container = new ServiceContainer();
  for (const [key, value] of Object.entries(options.services ?? {})) container.provide(key as keyof Services, value as never);
  if (!container.has('logger')) container.provide('logger', logger);
  const workers = createWorkerPool();
  const bootTimings: BootTiming[] = [];
  const booted: AnyPlugin[] = [];
  const closeFailures: Array<{ plugin: string; error: unknown }> = [];
  let state: KernelState = 'created';
  let booting: Promise<void> | undefined;
  let shutting: Promise<void> | undefined;

  const setupOne = async (plugin: AnyPlugin, index: number, pluginConfig: unknown): Promise<void> => {
    const teardowns: Array<() => void | Promise<void>> = [];
    // One tap per plugin; lower stages run first, so later-booted plugins close first. Within a
    // plugin, teardowns run newest first, like a stack of `defer`s.
    kernelHooks['kernel.close'].tapPromise({ name: plugin.name, stage: -index }, async () => {
      for (const teardown of teardowns.reverse()) {
        try {
          await teardown();
        } catch (error: unknown) {
          closeFailures.push({ plugin: plugin.name, error });
        }
      }
    });
    const ctx: PluginContext<unknown> = {
      name: plugin.name,
      config: pluginConfig,
      kernelConfig: config,
      services: container.for(plugin.name),
      hooks: hooks.for(plugin.name),
      workers,
      log: childLogger(logger, plugin.name),
      cwd,
      onClose: (fn) => void teardowns.push(fn),
    };
    await kernelHooks['kernel.setup'].promise({ name: plugin.name, version: plugin.version });
    const started = performance.now();
    await withTimeout(plugin, config.boot_timeout_ms, async () => {
      try {
        await plugin.setup(ctx);
      } catch (e: unknown) {
        const reason = e instanceof WeftError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
        throw new WeftError(KernelErrors.PLUGIN_BOOT_FAILED, `Plugin "${plugin.name}" failed to boot: ${reason}`, { cause: e, data: { plugin: plugin.name } });
      }
    });
    bootTimings.push({ name: plugin.name, version: plugin.version, ms: performance.now() - started });
    booted.push(plugin);
  };

  const runBoot = async (): Promise<void> => {
    if (state === 'closed') throw new WeftError(KernelErrors.STATE, 'This kernel is closed; create a new one to boot again');
    state = 'booting';
    try {
      warnUnknownNames(options.plugins, config, logger);
      const ordered = resolvePlugins(options.plugins.filter((p) => !config.disabled.includes(p.name)), { disabled: config.disabled });
      // Every plugin's configuration is checked before any setup runs: no side effects on bad input.
      const configs = ordered.map((plugin) => pluginConfigOf(plugin, config));
      for (const [index, plugin] of ordered.entries()) await setupOne(plugin, index, configs[index]);
      container.seal();
      await kernelHooks['kernel.ready'].promise();
      state = 'ready';
    } catch (e: unknown) {
      state = 'failed';
      await shutdown().catch((closeError: unknown) => logger.error(`closing after a failed boot also failed: ${(closeError as Error).message}`));
      throw toWeftError(e, KernelErrors.PLUGIN_BOOT_FAILED, 'Boot failed: ');
    }
  };

  const runShutdown = async (): Promise<void> => {
    try {
      await kernelHooks['kernel.close'].promise();
    } finally {
      await workers.destroy();
      state = 'closed';
    }
    if (closeFailures.length > 0) {
      const list = closeFailures.map((f) => `${f.plugin} (${f.error instanceof Error ? f.error.message : String(f.error)})`).join(', ');
      throw new WeftError(KernelErrors.CLOSE_FAILED, `${closeFailures.length} teardown(s) failed while closing: ${list}`, {
        cause: new AggregateError(closeFailures.map((f) => f.error)),
        data: { plugins: closeFailures.map((f) => f.plugin) },
      });
    }
  };
  const shutdown = (): Promise<void> => (shutting ??= runShutdown());

  const kernel: Kernel = {
    config,
    cwd,
    get state() {
      return state;
    },
    services: container,
    hooks,
    ready: kernelHooks['kernel.ready'],
    workers,
    bootTimings,
    plugins: booted,
    boot: () => (booting ??= runBoot()),
    close: async () => {
      await booting?.catch(() => undefined);
      await shutdown();
    },
    [Symbol.asyncDispose]: () => kernel.close(),
  };
  return kernel;
}

/** Warns of plugin names in `plugins.<name>` or `disabled` that no installed plugin has (a typo is otherwise silent). */
function warnUnknownNames(plugins: readonly AnyPlugin[], config: KernelConfig, logger: Logger): void {
  const known = new Set(plugins.map((p) => p.name));
  const unknown = [...Object.keys(config.plugins).map((name) => [name, `plugins.${name}`]), ...config.disabled.map((name, i) => [name, `disabled[${i}]`])].filter(([name]) => !known.has(name!));
  for (const [name, path] of unknown) logger.warn(`config ${path} names no installed plugin "${name}"; it is ignored (installed: ${[...known].sort().join(', ')})`);
}

function pluginConfigOf(plugin: AnyPlugin, config: KernelConfig): unknown {
  // Validated in place, so `kernel.config.plugins[name]` shows the defaults the plugin received.
  const value = (config.plugins[plugin.name] ??= {});
  if (plugin.configSchema === undefined) return value;
  try {
    compileSchema(plugin.configSchema);
  } catch (e: unknown) {
    throw new WeftError(KernelErrors.PLUGIN_INVALID, `Plugin "${plugin.name}" has a configSchema that does not compile: ${(e as Error).message}`, { cause: e, data: { plugin: plugin.name } });
  }
  validateConfig(plugin.configSchema, value, `plugins.${plugin.name}`);
  return value;
}

async function withTimeout(plugin: AnyPlugin, ms: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new WeftError(KernelErrors.PLUGIN_BOOT_TIMEOUT, `Plugin "${plugin.name}" did not finish setup within ${ms} ms; look for a hang in its setup or raise boot_timeout_ms`, { data: { plugin: plugin.name, timeout_ms: ms } }));
    }, ms);
  });
  try {
    await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
