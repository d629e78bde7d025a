/**
 * Renamed addresses keep their objects: terraform/moved.tf has a block for every address the
 * EventBridge wiring had before it became one for_each (fixtures/moved/before-triggers), each landing
 * on an instance that exists and has the same arguments, so an existing workspace's plan shows moves
 * only. The checker is proven able to fail on fixtures/moved/broken-after.
 */
import path from 'node:path';
import { loadTerraform, type TerraformConfig } from './hcl';
import { checkMoved, movedBlocks } from './moved-check';
import { resourceInstances } from './instances';
import { TERRAFORM_DIR } from './terraform-config';

const FIXTURES = path.join(__dirname, 'fixtures', 'moved');

async function load(dir: string): Promise<TerraformConfig> {
  const config = await loadTerraform(dir);
  expect(config.parseErrors).toEqual([]);
  return config;
}

test('terraform/moved.tf moves every old trigger address to an instance with the same arguments', async () => {
  const before = await load(path.join(FIXTURES, 'before-triggers'));
  const after = await load(TERRAFORM_DIR);
  expect(checkMoved(before, after)).toEqual([]);
  const old = resourceInstances(before)
    .map((r) => `${r.type}.${r.name}`)
    .sort();
  expect(old).toHaveLength(9);
  expect(
    movedBlocks(after)
      .map((m) => m.from)
      .sort(),
  ).toEqual(old);
  expect(
    movedBlocks(after).every(
      (m) => m.dir === '' && /^[\w]+\.trigger\["(video_rendered|video_failed|sweep_schedule)"\]$/.test(m.to),
    ),
  ).toBe(true);
});

test('a missing block, a key not in the map, a changed argument and a move from a live address are found', async () => {
  const before = await load(path.join(FIXTURES, 'broken-before'));
  const after = await load(path.join(FIXTURES, 'broken-after'));
  expect(checkMoved(before, after)).toEqual([
    '.: moved aws_cloudwatch_event_rule.failed -> aws_cloudwatch_event_rule.rule["fail"]: aws_cloudwatch_event_rule.rule["fail"] is not declared (a for_each key that is not in its map?)',
    '.: moved aws_sqs_queue.dlq -> aws_sqs_queue.dead_letters: aws_sqs_queue.dlq is still declared, and Terraform refuses to move an address that exists',
    '.: aws_cloudwatch_event_rule.rendered is no longer declared and no moved block says where it went: the plan would destroy it',
    '.: moved aws_cloudwatch_event_rule.schedule -> aws_cloudwatch_event_rule.rule["schedule"] would change description "every six hours" -> "every 6 hours"',
  ]);
});

test('without moved.tf every old trigger address is reported', async () => {
  const before = await load(path.join(FIXTURES, 'before-triggers'));
  const after = await load(TERRAFORM_DIR);
  after.modules['']!.json.moved = [];
  expect(checkMoved(before, after)).toHaveLength(9);
});
