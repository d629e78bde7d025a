/**
 * The end-to-end part of bench/RESULTS.md (issue 16, item 4): delivery-to-settlement latency through
 * the local EventBridge and the real handlers, under the latency model, as bench/e2e.bench.ts wrote it.
 */
interface Latency {
  events: number;
  p50Ms: number;
  p99Ms: number;
}
export interface EndToEndResult {
  measuredAt: string;
  model: { medianMs: number; sigma: number; description: string };
  concurrency: number;
  debit: Latency;
  refund: Latency;
  reserve: { events: number; reserveP50Ms: number; reserveP99Ms: number; captureP50Ms: number; captureP99Ms: number };
  handlerErrors: number;
}

const f1 = (n: number) => n.toFixed(1);

export function endToEndMarkdown(e2e: EndToEndResult): string {
  const rows = [
    ['debit (`video.rendered`, new job)', e2e.debit.events, f1(e2e.debit.p50Ms), f1(e2e.debit.p99Ms)],
    ['refund (`video.failed` after the debit)', e2e.refund.events, f1(e2e.refund.p50Ms), f1(e2e.refund.p99Ms)],
    [
      "reserve (the handler's answer to the producer)",
      e2e.reserve.events,
      f1(e2e.reserve.reserveP50Ms),
      f1(e2e.reserve.reserveP99Ms),
    ],
    [
      'capture (`video.rendered` with the hold)',
      e2e.reserve.events,
      f1(e2e.reserve.captureP50Ms),
      f1(e2e.reserve.captureP99Ms),
    ],
  ];
  return [
    `**End to end** (PutEvents → local EventBridge → rule → real handler → DynamoDB Local behind the ${e2e.model.description} model; ` +
      `time from the producer's PutEvents to the handler's answer; ${e2e.concurrency} producers, each waiting for its answer before the next event; handler errors: ${e2e.handlerErrors})`,
    '',
    '| path | events | p50 ms | p99 ms |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ].join('\n');
}
