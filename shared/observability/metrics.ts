/**
 * CloudWatch Embedded Metric Format: the structured log line itself carries the metrics, so one
 * line per event is both the log and the measurement (no PutMetricData calls, no extra latency).
 * Namespace `Reconciler`, one dimension `Workspace`; alarms in terraform/ read exactly these names.
 */
export const METRIC_NAMESPACE = 'Reconciler';

export const METRIC_NAMES = [
  'Debits',
  'Refunds',
  'NoCharge',
  'Duplicates',
  'Anomalies',
  'Invalid',
  'Adjustments',
  'Drift',
  'StuckJobs',
  'Stragglers',
  'Replayed',
  'OverdraftRefused',
  'Unjustified',
  'SweepRuns',
  'Reserves',
  'ReserveRefusals',
  'Captures',
  'Releases',
  'HoldsExpired',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export type MetricValues = Partial<Record<MetricName, number>>;

/** Fields to merge into a log line so that CloudWatch extracts them as metrics. */
export function emfFields(workspace: string, metrics: MetricValues, now: Date = new Date()): Record<string, unknown> {
  const names = (Object.keys(metrics) as MetricName[]).filter((name) => metrics[name] !== undefined);
  return {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [['Workspace']],
          Metrics: names.map((name) => ({ Name: name, Unit: 'Count' })),
        },
      ],
    },
    Workspace: workspace,
    ...Object.fromEntries(names.map((name) => [name, metrics[name]])),
  };
}
