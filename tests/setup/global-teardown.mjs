export default async function globalTeardown() {
  const servers = globalThis.__reconcilerLocalServers ?? [];
  await Promise.allSettled(servers.map((server) => server.stop()));
}
