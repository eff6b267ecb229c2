import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What goes wrong between the provider and the (fake) DigitalOcean API. */
export interface ApiFaults {
  /** Share of calls answered with a 5xx; a third of the failed POSTs create first, then fail (a 504). */
  failRate?: number;
  /** A call starts a burst of `length` 429s carrying Retry-After: 1 with probability 1/`every`. */
  burst429?: { every: number; length: number };
  /** Every answer this late. */
  delayMs?: number;
}

const statuses = [500, 502, 503, 504];

/**
 * A seeded, fault-injecting HTTP proxy in front of the fake DigitalOcean API. It also timestamps
 * every call that reached it, so a run can prove it never exceeded its API budget.
 */
export class ChaosProxy {
  readonly callTimes: number[] = [];
  faults: ApiFaults = {};
  injected = 0;
  private burstLeft = 0;
  private readonly server: Server;
  url = '';

  constructor(
    private readonly upstream: string,
    private readonly random: () => number,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Most calls started in any window of `windowMs`: the budget actually spent. */
  peakCalls(windowMs: number): number {
    let peak = 0;
    let start = 0;
    for (let end = 0; end < this.callTimes.length; end++) {
      while ((this.callTimes[start] ?? 0) <= (this.callTimes[end] ?? 0) - windowMs) start++;
      peak = Math.max(peak, end - start + 1);
    }
    return peak;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.callTimes.push(Date.now());
    const body = await readBody(req);
    const { delayMs = 0 } = this.faults;
    if (delayMs > 0) await sleep(delayMs);
    if (this.takeBurst()) return this.fail(res, 429);
    const status = this.random() < (this.faults.failRate ?? 0) ? this.pick() : undefined;
    const afterWork = status !== undefined && req.method === 'POST' && this.random() < 1 / 3;
    if (status !== undefined && !afterWork) return this.fail(res, status);
    const answer = await forward(this.upstream, req, body);
    if (status !== undefined) return this.fail(res, 504);
    res.writeHead(answer.status, answer.headers).end(answer.body);
  }

  private takeBurst(): boolean {
    const burst = this.faults.burst429;
    if (burst === undefined) return false;
    if (this.burstLeft === 0 && this.random() < 1 / burst.every) this.burstLeft = burst.length;
    if (this.burstLeft === 0) return false;
    this.burstLeft--;
    return true;
  }

  private pick(): number {
    return statuses[Math.floor(this.random() * statuses.length)] ?? 500;
  }

  private fail(res: ServerResponse, status: number): void {
    this.injected++;
    const id = status === 429 ? 'too_many_requests' : 'server_error';
    const headers = { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '1' } : {}) };
    res.writeHead(status, headers).end(JSON.stringify({ id, message: `chaos ${status}` }));
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function forward(upstream: string, req: IncomingMessage, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const out = request(
      new URL(req.url ?? '/', upstream),
      { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () =>
          resolve({
            status: answer.statusCode ?? 502,
            headers: headersOf(answer),
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

function headersOf(answer: IncomingMessage): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined) headers[k] = v;
  return headers;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
