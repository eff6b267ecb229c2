/**
 * bullmq-autoscaler's programmatic API: `new Autoscaler(config)`, typed events, `start()`,
 * `close()`, and `defineConfig()` for typed config modules. What runs on a server is in
 * `bullmq-autoscaler/worker`; providers are in `bullmq-autoscaler/providers/<name>`.
 */
export type { Provider, ProviderServer, ServerSpec } from '../providers/provider.ts';
export { ConfigError, defineConfig, loadConfigFile, parseConfig } from './config/load.ts';
export type { AutoscalerConfig, AutoscalerConfigInput, PoolConfig, ProviderConfig } from './config/schema.ts';
export { type EventOf, type ScalingEvent, type ScalingEventName, scalingEventNames } from './core/events.ts';
export type { ServerState } from './core/types.ts';
export type { ServerRecord } from './fleet/server-record.ts';
export { Autoscaler, type AutoscalerHealth, type AutoscalerOptions } from './scaler/autoscaler.ts';
export type { PoolState } from './scaler/tick.ts';
