/** The demo's reports: grouped numbers, which users are wrong and by how much, events/s per phase. */
import { htmlReport, textReport, type DemoReport } from '../../demo/report';

const base: DemoReport = {
  seed: 7,
  users: 1500,
  jobs: 20000,
  deliveries: 878696,
  durationSeconds: 12.5,
  eventsPerSecond: 70295.7,
  outcomes: { charged: 15000 },
  anomalies: {},
  totals: { granted: 3000000, charged: 1234567, refunded: 4321, remaining: 1769754 },
  sweep: { 'stragglers settled': 1200 },
  holds: { captured: 1000 },
  replay: { replayed: 3 },
  busPolicy: { attempted: 2, refused: { AccessDeniedException: 2 }, movedCredits: 0, ledgerEntriesAdded: 0 },
  drift: 0,
  expectedMismatches: 0,
  timeline: [
    { label: 'after opening grants', remaining: 3000000, events: 0, seconds: 0.5 },
    { label: 'after deliveries', remaining: 1769754, events: 40000, seconds: 8 },
  ],
  wrong: [],
};
const broken: DemoReport = {
  ...base,
  drift: 1,
  expectedMismatches: 1,
  wrong: [
    { userId: 'user-0042', balance: 1500, expected: 2700, difference: -1200, source: 'audit (ledger sum)' },
    { userId: 'user-0099', balance: 10, expected: 0, difference: 10, source: 'simulation expectation' },
  ],
};

describe('demo report', () => {
  test('numbers carry thousands separators in text and HTML', () => {
    expect(textReport(base)).toContain('878,696 deliveries');
    expect(textReport(base)).toContain('charged 1,234,567');
    const html = htmlReport(base);
    expect(html).toContain('<td>1,234,567</td>');
    expect(html).not.toMatch(/>1234567</);
  });

  test('per-phase events/s: events over seconds, for each phase', () => {
    const html = htmlReport(base);
    expect(html).toContain('Events per second in each phase');
    expect(html).toMatch(
      /<td>deliveries<\/td><td class="n">40,000<\/td><td class="n">8\.00<\/td><td class="n">5,000<\/td>/,
    );
    expect(textReport(base)).toContain('after deliveries 40,000 events in 8.0 s');
  });

  test('a clean run shows no wrong-balance section', () => {
    expect(htmlReport(base)).not.toContain('What is wrong');
    expect(textReport(base)).not.toContain('WRONG');
  });

  test('a broken run names each wrong user and by how much', () => {
    const html = htmlReport(broken);
    expect(html).toContain('What is wrong: 2 balance(s)');
    expect(html).toMatch(
      /<td>user-0042<\/td><td class="n">1,500<\/td><td class="n">2,700<\/td><td class="n bad">-1,200<\/td>/,
    );
    expect(html).toContain('<td class="n bad">+10</td>');
    expect(textReport(broken)).toContain('WRONG user-0042: balance 1,500, audit (ledger sum) 2,700 (off by -1,200)');
  });

  test('user ids are escaped in the HTML', () => {
    const html = htmlReport({
      ...broken,
      wrong: [{ userId: '<script>', balance: 1, expected: 0, difference: 1, source: 'audit (ledger sum)' }],
    });
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<td><script>');
  });
});
