/**
 * A loopback HTTP proxy in front of DynamoDB Local that holds each request for a round trip drawn
 * from a latency model (bench/README.md: the model and its sources), so the bench sees what a
 * request costs in-region rather than on the same machine. Bounded: at most `maxInFlight` requests
 * forwarded at once and `maxQueued` waiting; beyond that it answers 503 (the SDK retries), so a
 * runaway bench cannot exhaust memory or sockets.
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LatencyModel {
  /** Median added round trip, ms. */
  medianMs: number;
  /** Lognormal shape: p99 = median × e^(2.326 σ). */
  sigma: number;
}

export const describeModel = (m: LatencyModel) =>
  `lognormal, median ${m.medianMs} ms, σ ${m.sigma} (p99 ≈ ${(m.medianMs * Math.exp(2.326 * m.sigma)).toFixed(1)} ms)`;

/** One draw from the model (Box–Muller); `random` is injectable so the draw is testable. */
export function sampleDelayMs(model: LatencyModel, random: () => number = Math.random): number {
  const u1 = Math.max(random(), Number.EPSILON);
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
  return model.medianMs * Math.exp(model.sigma * z);
}

export interface LatencyProxy {
  endpoint: string;
  stats: { forwarded: number; rejected: number };
  close(): Promise<void>;
}

export async function startLatencyProxy(
  target: string,
  model: LatencyModel,
  options = { maxInFlight: 64, maxQueued: 1024 },
): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  const stats = { forwarded: 0, rejected: 0 };
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    inFlight--;
    waiting.shift()?.();
  };
  const acquire = () =>
    new Promise<void>((resolve) => {
      if (inFlight < options.maxInFlight) {
        inFlight++;
        resolve();
        return;
      }
      waiting.push(() => {
        inFlight++;
        resolve();
      });
    });

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res).on('finish', release);
      },
    );
    out.on('error', () => {
      release();
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    out.end(body);
  };

  const server = createServer((req, res) => {
    if (waiting.length >= options.maxQueued) {
      stats.rejected++;
      res.writeHead(503).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // The whole round trip is charged before forwarding: DynamoDB Local's own time is added on top.
      setTimeout(() => {
        void acquire().then(() => {
          stats.forwarded++;
          forward(req, res, Buffer.concat(chunks));
        });
      }, sampleDelayMs(model));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
