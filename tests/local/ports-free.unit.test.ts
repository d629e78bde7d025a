/** make local's start-up check: a port something already listens on is refused, by number. */
import { createServer, type Server } from 'node:net';
import { assertPortsFree, takenPorts } from '../../local/persistent/ports-free';

let occupied: Server;
let takenPort: number;
let freePort: number;

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );

beforeAll(async () => {
  occupied = createServer();
  takenPort = await listen(occupied);
  // A port that was free a moment ago: listened on, then closed.
  const probe = createServer();
  freePort = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(() => new Promise((resolve) => occupied.close(resolve)));

test('free ports pass', async () => {
  await expect(assertPortsFree([freePort])).resolves.toBeUndefined();
  expect(await takenPorts([freePort])).toEqual([]);
});

test('a taken port is caught and named, among free ones', async () => {
  expect(await takenPorts([freePort, takenPort])).toEqual([takenPort]);
  await expect(assertPortsFree([freePort, takenPort])).rejects.toThrow(`port ${takenPort}`);
  await expect(assertPortsFree([takenPort])).rejects.toThrow(/make local` already running/);
});
