import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface ProxyCounts {
  /** Times a client sent after it had been answered: each is one wait for Redis. */
  roundTrips: number;
  /** Redis commands sent (RESP arrays). */
  commands: number;
}

/**
 * A TCP proxy on 127.0.0.1 in front of Redis that counts round trips and commands. Replies are
 * held back `replyDelayMs`, so every burst a client writes without waiting (a pipeline split
 * into many TCP segments) is over before any answer reaches it: a client that sends again after
 * being answered is then certainly starting a new round trip.
 */
export class CountingProxy {
  private readonly server: Server;
  private counts: ProxyCounts = { roundTrips: 0, commands: 0 };
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly replyDelayMs = 3,
  ) {
    this.server = createServer((client) => this.pipe(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Counts since the last reset. */
  take(): ProxyCounts {
    const counts = this.counts;
    this.counts = { roundTrips: 0, commands: 0 };
    return counts;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.target);
    const commands = new CommandCounter();
    let answeredSinceLastSend = true;
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (answeredSinceLastSend) this.counts.roundTrips++;
      answeredSinceLastSend = false;
      this.counts.commands += commands.feed(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      setTimeout(() => {
        answeredSinceLastSend = true;
        client.write(chunk);
      }, this.replyDelayMs);
    });
  }
}

/** Streams RESP requests (arrays of bulk strings, as ioredis writes them) and counts whole ones. */
class CommandCounter {
  private pending = Buffer.alloc(0);

  feed(chunk: Buffer): number {
    this.pending = Buffer.concat([this.pending, chunk]);
    let count = 0;
    for (;;) {
      const end = requestEnd(this.pending);
      if (end === undefined) return count;
      this.pending = this.pending.subarray(end);
      count++;
    }
  }
}

/** Offset just past the first complete request in `buffer`, or undefined while it is incomplete. */
function requestEnd(buffer: Buffer): number | undefined {
  const header = readLine(buffer, 0);
  if (header === undefined || buffer[0] !== 0x2a /* '*' */) return undefined;
  let offset = header.next;
  for (let i = 0; i < Number(header.text.slice(1)); i++) {
    const bulk = readLine(buffer, offset);
    if (bulk === undefined) return undefined;
    offset = bulk.next + Number(bulk.text.slice(1)) + 2;
    if (offset > buffer.length) return undefined;
  }
  return offset;
}

function readLine(buffer: Buffer, from: number): { text: string; next: number } | undefined {
  const at = buffer.indexOf('\r\n', from);
  return at === -1 ? undefined : { text: buffer.toString('latin1', from, at), next: at + 2 };
}
