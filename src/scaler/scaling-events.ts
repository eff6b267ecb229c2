import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  debugEvents,
  type EventOf,
  type ScalingEvent,
  type ScalingEventName,
  warningEvents,
} from '../core/events.ts';

/**
 * Where the scaler's events go: one log line each (warn for what an operator should look at,
 * debug for per-tick timings, info for the rest), then to the listeners of `Autoscaler.on()`.
 */
export class ScalingEvents {
  private readonly emitter = new EventEmitter();

  constructor(private readonly logger: Logger | undefined) {}

  on<N extends ScalingEventName>(name: N, listener: (event: EventOf<N>) => void): void {
    this.emitter.on(name, listener);
  }

  off<N extends ScalingEventName>(name: N, listener: (event: EventOf<N>) => void): void {
    this.emitter.off(name, listener);
  }

  emit(event: ScalingEvent): void {
    if (this.logger) {
      const { event: name, ...fields } = event;
      const message = 'reason' in event ? event.reason : name;
      if (warningEvents.has(name)) this.logger.warn({ event: name, ...fields }, message);
      else if (debugEvents.has(name)) this.logger.debug({ event: name, ...fields }, message);
      else this.logger.info({ event: name, ...fields }, message);
    }
    this.emitter.emit(event.event, event);
  }
}
