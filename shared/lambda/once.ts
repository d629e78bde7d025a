/**
 * Builds a value on first use and keeps it for the container's life: how every handler gets its
 * deps (clients, config) once per cold start, lazily, so that importing a handler does no I/O.
 */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
