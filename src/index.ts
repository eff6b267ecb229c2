/**
 * bullmq-autoscaler's programmatic API: `new Autoscaler(config)`, typed events, `start()`,
 * `close()`, and `defineConfig()` for typed config modules. What runs on a server is in
 * `bullmq-autoscaler/worker`; providers are in `bullmq-autoscaler/providers/<name>`.
 *
 * This is also where the scaler and its operator surfaces are composed: the scaler never imports
 * the surfaces, and the surfaces read the scaler only through the `ScalerView` they declare.
 */
import type { AutoscalerConfig, AutoscalerConfigInput } from './config/schema.ts';
import { type AutoscalerOptions, Autoscaler as Scaler } from './scaler/autoscaler.ts';
import { startSurfaces } from './surfaces/compose.ts';

export type { Provider, ProviderServer, ServerSpec } from '../providers/provider.ts';
export {
  createRedisClient,
  type RedisClient,
  type RedisConnection,
} from './base/redis-connection.ts';
export { defineConfig } from './config/define.ts';
export { ConfigError, loadConfigFile, parseConfig } from './config/load.ts';
export { redisConnectionOf } from './config/redis-schema.ts';
export type { AutoscalerConfig, AutoscalerConfigInput, PoolConfig, ProviderConfig } from './config/schema.ts';
export { type EventOf, type ScalingEvent, type ScalingEventName, scalingEventNames } from './core/events.ts';
export type { ServerState } from './core/types.ts';
export type { ServerRecord } from './fleet/server-record.ts';
export type { AutoscalerHealth, AutoscalerOptions } from './scaler/autoscaler.ts';
export { createMetrics, type ScalerMetrics } from './surfaces/http/metrics.ts';

/**
 * The scaler, with the surfaces its config turns on (`http.port`: status page, /status, /metrics,
 * /healthz; `alerts.webhookUrl`: webhook alerts) started by `start()` and closed by `close()`.
 */
export class Autoscaler extends Scaler {
  constructor(config: AutoscalerConfig | AutoscalerConfigInput, options: AutoscalerOptions = {}) {
    super(config, { attach: (scaler) => startSurfaces(scaler, options.logger), ...options });
  }
}
export {
  createStatusHandler,
  type StatusHandler,
  type StatusHandlerOptions,
} from './surfaces/http/handler.ts';
