import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { createLogger } from '../../src/base/log.ts';
import { Autoscaler } from '../../src/index.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { ScalerProcess } from '../helpers/scaler-process.ts';
import type { World } from './world.ts';

/** The scaler of a chaos run, in-process or as a process that can be SIGKILLed. */
export interface ScalerDriver {
  /** Resolves once the running scaler leads (process scalers only), or after `timeoutMs`. */
  leading(timeoutMs: number): Promise<void>;
  /** SIGKILLs the running scaler and starts a fresh one (process scalers only). */
  killAndRestart(): Promise<void>;
  kills: number;
  stop(): Promise<void>;
}

export async function inProcessScaler(world: World): Promise<ScalerDriver> {
  const scaler = new Autoscaler(world.config, { provider: world.provider(), logger: loggerFor(world) });
  await scaler.start();
  return {
    kills: 0,
    leading: () => Promise.reject(new Error('an in-process scaler is not killed')),
    killAndRestart: () => Promise.reject(new Error('an in-process scaler cannot be SIGKILLed')),
    stop: () => scaler.close(),
  };
}

/** CHAOS_LOG_DIR keeps each in-process scaler's log lines, to see where a failed run got stuck. */
function loggerFor(world: World): Logger {
  const dir = process.env.CHAOS_LOG_DIR;
  if (dir === undefined) return captureLog().logger;
  return createLogger({ level: 'debug', destination: pino.destination(join(dir, `${world.o.prefix}.log`)) });
}

/** The log lines of a process scaler, appended to CHAOS_LOG_DIR when it is set. */
function keepLog(world: World, events: readonly object[]): void {
  const dir = process.env.CHAOS_LOG_DIR;
  if (dir === undefined) return;
  appendFileSync(join(dir, `${world.o.prefix}.log`), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

/** `bullmq-autoscaler start` as its own process, with the token in its environment only. */
export function processScaler(world: World): ScalerDriver {
  const env = { REDIS_URL: world.o.redisUrl, DIGITALOCEAN_TOKEN: world.fake.token };
  const configFile = world.configFile();
  let current = new ScalerProcess(configFile, env);
  return {
    kills: 0,
    async leading(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (current.named('leader.acquired').length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async killAndRestart() {
      await current.kill('SIGKILL');
      keepLog(world, current.events);
      this.kills++;
      current = new ScalerProcess(configFile, env);
    },
    async stop() {
      await current.kill('SIGKILL');
      keepLog(world, current.events);
    },
  };
}
