// The kernel's public API, imported by plugins as '#kernel' and by users as 'weft'.
// Each name is documented where it is declared.
export { WeftError, KernelErrors, defineErrors, errorCatalog, toWeftError } from './errors.js';
export type { WeftErrorOptions } from './errors.js';
export { definePlugin } from './plugin.js';
export type { PluginDefinition, AnyPluginDefinition, PluginContext, KernelConfig, Logger, JsonSchema } from './plugin.js';
export { createKernel } from './kernel.js';
export type { Kernel, KernelOptions, KernelState, BootTiming } from './kernel.js';
export { KERNEL_VERSION, resolvePlugins, normaliseDependencies, dependenciesOf } from './registry.js';
export type { Dependency, ResolveOptions } from './registry.js';
export type { Services, ServiceReader, ServiceRegistrar } from './services.js';
export type { Hooks, HookRegistrar, HookRegistry, TapOrder, PluginBootInfo } from './hooks.js';
export type { Command, CommandOption, CommandIO, CommandInvocation, CommandRegistry } from './commands.js';
export { loadConfig, saveConfig, readConfigFile, validateKernelConfig, kernelConfigSchema, CONFIG_FILES } from './config.js';
export type { RawConfig, LoadConfigOptions } from './config.js';
export { importModule } from './modules.js';
export type { ModuleNamespace } from './modules.js';
export { loadPlugins, loadPlugin, isPluginDefinition } from './loader.js';
export type { BuiltinPlugins, PluginSource, LoadedPlugin, FailedPlugin, LoadResult, LoadOptions } from './loader.js';
export type { PluginCatalog, PluginEntry, PluginFailure } from './plugin-catalog.js';
export { workerFile } from './workers.js';
export type { WorkerPool, WorkerRunOptions } from './workers.js';
export { createLogger } from './logger.js';
export type { LogLevel } from './logger.js';
export { runCli, printError, weftVersion } from './cli.js';
export type { CliOptions } from './cli.js';
export * from './contracts/run-events.js';
export * from './contracts/steps.js';
export * from './contracts/llm.js';
