/**
 * make local refuses to start on a port something already listens on. Without this check a
 * DynamoDB Local already running there (another `make local`, a team's own) answers the new one's
 * start-up probe, the new JVM dies unseen, and the stack writes to somebody else's books.
 */
import { createServer } from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The ports among `ports` that something on 127.0.0.1 already listens on. */
export async function takenPorts(ports: readonly number[]): Promise<number[]> {
  const taken: number[] = [];
  for (const port of ports) if (!(await isFree(port))) taken.push(port);
  return taken;
}

export async function assertPortsFree(ports: readonly number[]): Promise<void> {
  const taken = await takenPorts(ports);
  if (taken.length === 0) return;
  throw new Error(
    `already in use on 127.0.0.1: port ${taken.join(', ')} (is \`make local\` already running? another base: make local BASE_PORT=9000)`,
  );
}
