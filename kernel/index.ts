// The kernel's public API, imported by plugins as '#kernel' and by users as 'weft'.
export { WeftError, KernelErrors, defineErrors, errorCatalog, toWeftError } from './errors.js';
export type { WeftErrorOptions } from './errors.js';
export { definePlugin } from './plugin.js';
export type { PluginDefinition, PluginContext, KernelConfig, Logger, JsonSchema } from './plugin.js';
export type { Services, ServiceReader, ServiceRegistrar } from './services.js';
export type { Hooks, HookRegistrar, TapOrder, PluginBootInfo } from './hooks.js';
export type { Command, CommandOption, CommandIO, CommandInvocation, CommandRegistry } from './commands.js';
export * from './contracts/run-events.js';
export * from './contracts/steps.js';
export type * from './contracts/llm.js';
