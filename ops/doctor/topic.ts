/** The ops topic has at least one confirmed subscription: otherwise every alarm pages nobody. */
import { ListSubscriptionsByTopicCommand, ListTopicsCommand, type Subscription } from '@aws-sdk/client-sns';
import { MAX_PAGES, fail, guarded, isNotFound, pass, type CheckResult, type DoctorDeps } from './types';

async function findTopicArn(deps: DoctorDeps): Promise<string | undefined> {
  if (deps.alertsTopicArn) return deps.alertsTopicArn;
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await deps.sns.send(new ListTopicsCommand({ NextToken: token }));
    const match = out.Topics?.find((t) => t.TopicArn?.endsWith(`:${deps.names.alertsTopic}`));
    if (match?.TopicArn) return match.TopicArn;
    token = out.NextToken;
    if (!token) break;
  }
  return undefined;
}

/** AWS shows an unconfirmed subscription with the ARN 'PendingConfirmation' (and a removed one as 'Deleted'). */
export const isConfirmed = (s: Subscription): boolean => (s.SubscriptionArn ?? '').startsWith('arn:');

export async function topicChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const name = `topic ${deps.names.alertsTopic} subscribers`;
  return guarded(name, async () => {
    const arn = await findTopicArn(deps);
    if (!arn) return fail(name, `topic ${deps.names.alertsTopic} not found: make apply WS=${deps.names.workspace}`);
    const subscriptions: Subscription[] = [];
    let token: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const out = await deps.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, NextToken: token }));
        subscriptions.push(...(out.Subscriptions ?? []));
        token = out.NextToken;
        if (!token) break;
      }
    } catch (error) {
      if (isNotFound(error)) return fail(name, `topic ${arn} not found: make apply WS=${deps.names.workspace}`);
      throw error;
    }
    const confirmed = subscriptions.filter(isConfirmed);
    const pending = subscriptions.length - confirmed.length;
    const pendingText = pending > 0 ? `, ${pending} pending confirmation` : '';
    if (confirmed.length === 0) {
      return fail(
        name,
        `no confirmed subscription${pendingText}: alarms page nobody. Set alarm_email_subscriptions in terraform/workspaces/${deps.names.workspace}.tfvars, make apply, and click the confirmation e-mail`,
      );
    }
    const protocols = [...new Set(confirmed.map((s) => s.Protocol ?? '?'))].join(', ');
    return pass(name, `${confirmed.length} confirmed (${protocols})${pendingText}`);
  });
}
