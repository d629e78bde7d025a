// fauxqs (SQS + SNS emulator in Node) on a free port bound to loopback only, for tests and the demo.
// startFauxqs() always listens on 0.0.0.0, so the app is built and bound here instead.
import { buildApp } from 'fauxqs';

/**
 * @param {{ port?: number }} [options] a fixed port (make local), default a free one
 * @returns {Promise<{ endpoint: string, stop: () => Promise<void> }>}
 */
export async function startFauxqsLocal({ port = 0 } = {}) {
  const app = buildApp({ logger: false, host: '127.0.0.1' });
  const address = await app.listen({ port, host: '127.0.0.1' });
  const endpoint = `http://127.0.0.1:${new URL(address).port}`;
  return { endpoint, stop: () => app.close() };
}
