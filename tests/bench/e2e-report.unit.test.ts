import { endToEndMarkdown, type EndToEndResult } from '../../bench/support/e2e-report';

const run: EndToEndResult = {
  measuredAt: '2026-12-02T14:00:00.000Z',
  model: { medianMs: 5, sigma: 0.5, description: 'lognormal, median 5 ms, σ 0.5 (p99 ≈ 16.0 ms)' },
  concurrency: 8,
  debit: { events: 300, p50Ms: 70.49, p99Ms: 129.87 },
  refund: { events: 300, p50Ms: 86.18, p99Ms: 163.94 },
  reserve: { events: 300, reserveP50Ms: 49.22, reserveP99Ms: 86.66, captureP50Ms: 43.74, captureP99Ms: 74.04 },
  handlerErrors: 0,
};

describe('the end-to-end table of bench/RESULTS.md', () => {
  it('shows every path with its own p50 and p99, under the model it ran with', () => {
    const md = endToEndMarkdown(run);
    expect(md).toContain('lognormal, median 5 ms');
    expect(md).toMatch(/\| debit [^|]*\| 300 \| 70\.5 \| 129\.9 \|/);
    expect(md).toMatch(/\| refund [^|]*\| 300 \| 86\.2 \| 163\.9 \|/);
    expect(md).toMatch(/\| reserve [^|]*\| 300 \| 49\.2 \| 86\.7 \|/);
    expect(md).toMatch(/\| capture [^|]*\| 300 \| 43\.7 \| 74\.0 \|/);
  });

  it('says when handlers failed, so a fast run of errors is not read as a fast run', () => {
    expect(endToEndMarkdown({ ...run, handlerErrors: 3 })).toContain('handler errors: 3');
  });
});
