import { AsyncSeriesHook, SyncHook } from 'tapable';
import { KernelErrors, WeftError } from './errors.js';
import type { CommandRegistry } from './commands.js';

/** What the kernel passes to `kernel.setup` taps before each plugin's setup runs. */
export interface PluginBootInfo {
  name: string;
  version: string;
}

/** Builds the kernel's own lifecycle hooks. */
export function createKernelHooks() {
  return {
    /** Before each plugin's setup (tracing, profiling). */
    'kernel.setup': new AsyncSeriesHook<[PluginBootInfo]>(['plugin']),
    /** After every plugin booted. */
    'kernel.ready': new AsyncSeriesHook<[]>([]),
    /** On close; each plugin's teardown is a tap staged so that plugins close in reverse boot order. */
    'kernel.close': new AsyncSeriesHook<[]>([]),
    /** The CLI collects commands here; plugins add theirs. */
    'kernel.commands': new SyncHook<[CommandRegistry]>(['commands']),
  };
}

type KernelHooks = ReturnType<typeof createKernelHooks>;

/**
 * Hook names and their tapable types. The kernel's are declared here; plugins add theirs by
 * module augmentation: `declare module '#kernel' { interface Hooks { 'pipeline.event': … } }`.
 */
export interface Hooks extends KernelHooks {}

/** Ordering of a tap relative to others on the same hook. */
export interface TapOrder {
  /** Lower stages run first (default 0). */
  stage?: number;
  /** Run before the taps of these plugins. */
  before?: string | string[];
}

type AnyHook = { tap: (...a: never[]) => void; taps: unknown[] };
type TapFn<K extends keyof Hooks> = Hooks[K] extends { tap(o: never, fn: infer F): void } ? F : never;
type TapPromiseFn<K extends keyof Hooks> = Hooks[K] extends { tapPromise(o: never, fn: infer F): void } ? F : never;

/** Declares and taps hooks by name; every tap carries the tapping plugin's name. */
export interface HookRegistrar {
  /** Declares a hook this plugin owns under `name`. */
  declare<K extends keyof Hooks>(name: K, hook: Hooks[K]): Hooks[K];
  /** The hook under `name`; throws KERNEL_HOOK_UNKNOWN when nobody declared it. */
  get<K extends keyof Hooks>(name: K): Hooks[K];
  /** Taps `name` with a synchronous function. */
  tap<K extends keyof Hooks>(name: K, fn: TapFn<K>, order?: TapOrder): void;
  /** Taps `name` with a promise-returning function (async hooks only). */
  tapPromise<K extends keyof Hooks>(name: K, fn: TapPromiseFn<K>, order?: TapOrder): void;
}

/** The kernel's registry of named hooks. */
export class HookRegistry {
  readonly #hooks = new Map<string, { hook: AnyHook; owner: string }>();

  constructor(kernelHooks: KernelHooks) {
    for (const [name, hook] of Object.entries(kernelHooks)) this.#hooks.set(name, { hook, owner: 'kernel' });
  }

  /** A registrar whose declarations and taps are attributed to `plugin`. */
  for(plugin: string): HookRegistrar {
    const tapWith = (method: 'tap' | 'tapPromise') => (name: string, fn: unknown, order: TapOrder = {}) => {
      const hook = this.get(name) as unknown as Record<string, (o: object, f: unknown) => void>;
      hook[method]!({ name: plugin, ...order }, fn);
    };
    return {
      declare: (name, hook) => this.declare(String(name), hook as unknown as AnyHook, plugin) as never,
      get: (name) => this.get(String(name)) as never,
      tap: tapWith('tap') as HookRegistrar['tap'],
      tapPromise: tapWith('tapPromise') as HookRegistrar['tapPromise'],
    };
  }

  /** Declares `hook` under `name` on behalf of `owner`; throws KERNEL_HOOK_DUPLICATE when taken. */
  declare(name: string, hook: AnyHook, owner: string): AnyHook {
    const existing = this.#hooks.get(name);
    if (existing) {
      throw new WeftError(KernelErrors.HOOK_DUPLICATE, `Hook "${name}" is already declared by ${existing.owner}; ${owner} must use another name`, { data: { hook: name, plugin: owner } });
    }
    this.#hooks.set(name, { hook, owner });
    return hook;
  }

  /** The hook under `name`; throws KERNEL_HOOK_UNKNOWN when nobody declared it. */
  get<K extends keyof Hooks>(name: K): Hooks[K];
  get(name: string): AnyHook;
  get(name: string): AnyHook {
    const entry = this.#hooks.get(name);
    if (!entry) {
      const known = [...this.#hooks.keys()].join(', ');
      throw new WeftError(KernelErrors.HOOK_UNKNOWN, `No hook named "${name}" is declared (known: ${known}); check the name and that its plugin is a dependency`, { data: { hook: name } });
    }
    return entry.hook;
  }

  /** Declared hook names with their owners and tap counts. */
  list(): Array<{ name: string; owner: string; taps: number }> {
    return [...this.#hooks].map(([name, { hook, owner }]) => ({ name, owner, taps: hook.taps.length }));
  }
}
