/**
 * A loopback TLS front for a plain-HTTP endpoint (DynamoDB Local, or the latency proxy in front of
 * it), so that a handler process reaches DynamoDB over https as a Lambda function does.
 *
 * Why the cold-start bench needs it: over plain http, the SDK's node-http-handler opens its first
 * request with `await import("node:http")`, and Node 24 builds that module's ESM facade by reading
 * every export, which loads undici (about 30 ms on this machine, both for ours and the baseline).
 * Over https, the handler uses `node:https`, loaded with the bundle, and never takes that path; in
 * exchange it pays the TLS handshake, as it does in Lambda. So time to the first answered event is
 * measured through this front, and the plain-http figure is shown beside it.
 *
 * The certificate is self-signed for 127.0.0.1, made fresh for each run (bench/support/loopback-cert.ts);
 * the child trusts it through NODE_EXTRA_CA_CERTS. Bounded like the latency proxy: upstream sockets
 * are capped, and a broken upstream answers 502.
 */
import { createServer } from 'node:https';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TlsFront {
  /** https://127.0.0.1:<port> */
  endpoint: string;
  close(): Promise<void>;
}

export async function startTlsFront(
  target: string,
  credentials: { keyPem: string; certPem: string },
  maxSockets = 64,
): Promise<TlsFront> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const server = createServer({ key: credentials.keyPem, cert: credentials.certPem }, (req, res) => {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
