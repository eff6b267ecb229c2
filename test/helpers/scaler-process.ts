import { type ChildProcess, spawn } from 'node:child_process';

export interface LogEvent {
  event?: string;
  time: number;
  [field: string]: unknown;
}

/** A scaler running as its own process (`bullmq-autoscaler start`), its JSON log lines parsed. */
export class ScalerProcess {
  readonly events: LogEvent[] = [];
  /** Output lines that are not JSON log lines: nothing should print such lines into the stream. */
  readonly rawLines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private buffer = '';

  constructor(configPath: string, env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, ['dist/src/cli/bin.js', 'start', '--config', configPath], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'debug', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.read(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.read(chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  named(name: string): LogEvent[] {
    return this.events.filter((e) => e.event === name);
  }

  /** Sends SIGTERM without waiting: the caller bounds how long it waits for the exit. */
  sigterm(): void {
    this.child.kill('SIGTERM');
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }

  private read(chunk: Buffer): void {
    this.buffer += chunk.toString();
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) {
        if (line.trim() !== '') this.rawLines.push(line);
        continue;
      }
      try {
        this.events.push(JSON.parse(line) as LogEvent);
      } catch {
        // a line cut by SIGKILL
      }
    }
  }
}
