/**
 * The CLI's human-readable formatters show data (DLQ attributes and reasons, what AWS reported,
 * what the tables held) with control characters escaped, one line per line (security review L2);
 * the escapes the CLI writes itself (the doctor's colours) are the only ones left.
 */
import { formatDoctorReport } from '../../cli/commands/doctor';
import { describeResult } from '../../cli/commands/replay-dlq';
import { runAliasCommand } from '../../cli/commands/rollback';
import { formatSmokeReport } from '../../cli/commands/smoke';
import { createContext, EXIT } from '../../cli/context';
import { workspaceNames } from '../../shared/naming';
import type { SmokeReport } from '../../ops/smoke';
import { awsError, fakeLambda, healthyLambdaWorld } from '../support/ops-fakes';

const HOSTILE = '\u001b[2J\u001b]0;pwned\u0007\nFAKE LINE\u202e\u009b';
const HOSTILE_SHOWN = '\\x1b[2J\\x1b]0;pwned\\x07\\nFAKE LINE\\u202e\\x9b';
/** The control characters of a text, line breaks aside. */
const controls = (text: string) =>
  [...text].filter((c) => {
    const code = c.charCodeAt(0);
    return (
      c !== '\n' &&
      (code <= 0x1f ||
        (code >= 0x7f && code <= 0x9f) ||
        (code >= 0x202a && code <= 0x202e) ||
        (code >= 0x2066 && code <= 0x2069))
    );
  });

describe('replay-dlq: describeResult', () => {
  test('every value of a result (ids, the DLQ attributes, reason, details, hint) is escaped; the layout stays', () => {
    const text = describeResult({
      messageId: `m${HOSTILE}`,
      outcome: 'left_invalid',
      remove: false,
      shape: 'eventbridge_target_dlq',
      detailType: `video.rendered${HOSTILE}`,
      jobId: `j${HOSTILE}`,
      originalEventId: `e${HOSTILE}`,
      failure: `EventBridge target DLQ message: ERROR_MESSAGE ${HOSTILE}`,
      reason: `why ${HOSTILE}`,
      details: [`d1 ${HOSTILE}`, 'd2'],
      hint: `next ${HOSTILE}`,
    });
    expect(controls(text)).toEqual([]);
    expect(text.split('\n')).toEqual([
      `  left_invalid           m${HOSTILE_SHOWN}  (video.rendered${HOSTILE_SHOWN}, job j${HOSTILE_SHOWN}, event e${HOSTILE_SHOWN})`,
      `      dead-lettered as: EventBridge target DLQ message: ERROR_MESSAGE ${HOSTILE_SHOWN}`,
      `      why: why ${HOSTILE_SHOWN} (d1 ${HOSTILE_SHOWN}; d2)`,
      `      next: next ${HOSTILE_SHOWN}`,
    ]);
  });

  test('a replayed result: its new event id is escaped too', () => {
    const text = describeResult({
      messageId: 'm',
      outcome: 'replayed',
      remove: true,
      replayCount: 2,
      newEventId: `n${HOSTILE}`,
    });
    expect(text).toBe(`  replayed               m\n      replay #2 → new event n${HOSTILE_SHOWN}`);
  });
});

test('doctor: what a check saw is escaped; the only escape sequences left are its own colours', () => {
  const text = formatDoctorReport(
    {
      workspace: 'prod',
      ok: false,
      checkedAt: '2026-01-01T00:00:00.000Z',
      checks: [
        { name: `function x${HOSTILE}`, ok: false, detail: `AccessDeniedException: ${HOSTILE}` },
        { name: 'table Credits-prod', ok: true, detail: 'ok' },
      ],
    },
    true,
  );
  const lines = text.split('\n');
  expect(lines).toHaveLength(4);
  expect(lines[1]).toBe(
    `  \u001b[31mFAIL\u001b[0m  function x${HOSTILE_SHOWN}  AccessDeniedException: ${HOSTILE_SHOWN}`,
  );
  const colours = ['\u001b[31m', '\u001b[32m', '\u001b[33m', '\u001b[0m'];
  expect(controls(colours.reduce((t, colour) => t.split(colour).join(''), text))).toEqual([]);
});

test("smoke: a scenario's detail (what the tables showed), its job id and the run id are escaped", () => {
  const report: SmokeReport = {
    runId: `r${HOSTILE}`,
    userId: `u${HOSTILE}`,
    ok: false,
    balance: { before: 100, granted: 0, start: 100, end: 99 },
    scenarios: [{ name: 'ledger', ok: false, detail: `entry says ${HOSTILE}`, jobId: `j${HOSTILE}`, durationMs: 1200 }],
  };
  const text = formatSmokeReport(report, `ws${HOSTILE}`);
  expect(controls(text)).toEqual([]);
  expect(text.split('\n')).toEqual([
    `smoke r${HOSTILE_SHOWN} on ws${HOSTILE_SHOWN} as u${HOSTILE_SHOWN}: balance 100 → start 100`,
    `  FAIL  ledger  entry says ${HOSTILE_SHOWN}  [j${HOSTILE_SHOWN}, 1.2 s]`,
    `smoke: 1 of 1 FAILED; end balance 99. Next: make doctor WS=ws${HOSTILE_SHOWN}; if the deploy is at fault, make rollback WS=ws${HOSTILE_SHOWN}, then make replay-dlq WS=ws${HOSTILE_SHOWN}`,
  ]);
});

test('rollback: a failed move quotes the AWS error, escaped, on its own line', async () => {
  const names = workspaceNames('staging');
  const world = healthyLambdaWorld(names, {
    dlqUrl: 'https://sqs/1/cc-reconciler-dlq-staging',
    topicArn: 'arn:aws:sns:eu-west-1:1:ops-alerts-staging',
    versions: 3,
  });
  world.beforeUpdate = (name) => {
    if (name === names.functions.sweep) throw awsError('AccessDeniedException', `denied ${HOSTILE}`);
  };
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const code = await runAliasCommand(
      'rollback',
      ['--function', 'sweep'],
      createContext({ json: false, workspace: 'staging' }),
      { lambda: fakeLambda(world) },
    );
    expect(code).toBe(EXIT.findings);
  } finally {
    spy.mockRestore();
  }
  const text = lines.join('');
  expect(controls(text)).toEqual([]);
  expect(text).toMatch(
    new RegExp(
      `sweep +cc-agent-reconciler-sweep-staging:live +FAILED +3 → 2 +AccessDeniedException: denied ${HOSTILE_SHOWN.replace(/[\\[\]()]/g, '\\$&')}\\n`,
    ),
  );
});
