/** CloudWatch alarms: every alarm Terraform declares exists, and none is in ALARM. */
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { MAX_PAGES, fail, guarded, pass, type CheckResult, type DoctorDeps } from './types';

export async function alarmChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const prefix = deps.names.alarmPrefix;
  let alarms: MetricAlarm[] | undefined;
  const exist = await guarded(`alarms ${prefix}-* exist`, async () => {
    const found: MetricAlarm[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await deps.cloudWatch.send(
        new DescribeAlarmsCommand({
          AlarmNamePrefix: `${prefix}-`,
          AlarmTypes: ['MetricAlarm'],
          MaxRecords: 100,
          NextToken: token,
        }),
      );
      found.push(...(out.MetricAlarms ?? []));
      token = out.NextToken;
      if (!token) break;
    }
    alarms = found;
    const names = new Set(found.map((a) => a.AlarmName));
    const missing = deps.names.alarms.filter((n) => !names.has(n));
    if (missing.length > 0)
      return fail(
        `alarms ${prefix}-* exist`,
        `${missing.length} of ${deps.names.alarms.length} missing: ${missing.join(', ')}; make apply WS=${deps.names.workspace}`,
      );
    return pass(`alarms ${prefix}-* exist`, `all ${deps.names.alarms.length} present`);
  });
  const name = `alarms ${prefix}-* not in ALARM`;
  if (!alarms) return [...exist, fail(name, 'could not list the alarms')];
  const firing = alarms.filter((a) => a.StateValue === 'ALARM');
  if (firing.length === 0) {
    const noData = alarms.filter((a) => a.StateValue === 'INSUFFICIENT_DATA').length;
    return [
      ...exist,
      pass(name, `${alarms.length} OK${noData > 0 ? ` (${noData} of them INSUFFICIENT_DATA: no data yet, fine)` : ''}`),
    ];
  }
  const list = firing
    .map((a) => `${a.AlarmName}${a.StateUpdatedTimestamp ? ` since ${a.StateUpdatedTimestamp.toISOString()}` : ''}`)
    .join(', ');
  return [...exist, fail(name, `${firing.length} in ALARM: ${list} (docs/operations/alarms.md says what each means)`)];
}
