// What the handler bundles get instead of thread-stream (build.mjs aliases it). pino requires it at
// load for pino.transport(), which runs a log transport in a worker thread; the handlers log JSON
// lines to stdout (shared/observability/logger.ts) and never start one, yet the package is about
// 10 KB of every bundle. A handler that did ask for a transport gets this error at logger creation.
'use strict';

module.exports = class ThreadStream {
  constructor() {
    throw new Error('pino transports are not bundled into the handlers (scripts/build/no-thread-stream.cjs)');
  }
};
