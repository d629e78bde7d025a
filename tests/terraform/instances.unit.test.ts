/**
 * resourceInstances writes out a for_each over a local map the way Terraform plans it, so that the
 * checkers see each instance's own values; anything else stays as written.
 */
import { parse } from '@cdktf/hcl2json';
import type { Block, TerraformConfig } from './hcl';
import { resourceInstances } from './instances';

async function configOf(hcl: string): Promise<TerraformConfig> {
  const json = (await parse('main.tf', hcl)) as Block;
  return {
    rootDir: '',
    modules: { '': { dir: '', files: ['main.tf'], json } },
    tfvars: {},
    parsedFiles: ['main.tf'],
    parseErrors: [],
  };
}

const HCL = `
locals {
  rules = {
    rendered = {
      name     = local.names.rendered
      on       = "video.rendered"
      bus      = local.bus
      pattern  = jsonencode({ a = [local.x] })
      schedule = null
      retries  = 3
      state    = var.paused ? "DISABLED" : "ENABLED"
    }
    schedule = {
      name     = local.names.schedule
      on       = var.expression
      bus      = null
      pattern  = null
      schedule = var.expression
      retries  = 0
      state    = null
    }
  }
}

resource "aws_cloudwatch_event_rule" "trigger" {
  for_each            = local.rules
  name                = each.value.name
  description         = "\${each.value.on} -> \${each.key}:live"
  event_bus_name      = each.value.bus
  event_pattern       = each.value.pattern
  schedule_expression = each.value.schedule
  state               = each.value.state
  tags                = { Rule = each.key, Enabled = each.value.state == "ENABLED", Unknown = each.value.typo }
}

resource "aws_cloudwatch_event_target" "trigger" {
  for_each = local.rules
  rule     = aws_cloudwatch_event_rule.trigger[each.key].name
  arn      = "arn"

  retry_policy {
    maximum_retry_attempts = each.value.retries
  }
}

resource "aws_sqs_queue" "by_name" {
  for_each = toset(var.names)
  name     = each.value
}
`;

test('a for_each over a local map: one instance per key, each.key and each.value written out, nulls unset', async () => {
  const config = await configOf(HCL);
  const rules = resourceInstances(config, 'aws_cloudwatch_event_rule');
  expect(rules.map((r) => [r.name, r.label, r.key])).toEqual([
    ['trigger["rendered"]', 'trigger', 'rendered'],
    ['trigger["schedule"]', 'trigger', 'schedule'],
  ]);
  expect(rules[0]!.body).toEqual({
    name: '${local.names.rendered}',
    description: 'video.rendered -> rendered:live',
    event_bus_name: '${local.bus}',
    event_pattern: '${jsonencode({ a = [local.x] })}',
    state: '${var.paused ? "DISABLED" : "ENABLED"}',
    tags: {
      Rule: 'rendered',
      Enabled: '${(var.paused ? "DISABLED" : "ENABLED") == "ENABLED"}',
      // An attribute the entry does not have stays as written, for schema-check to report.
      Unknown: '${each.value.typo}',
    },
  });
  expect(rules[1]!.body).toEqual({
    name: '${local.names.schedule}',
    description: '${var.expression} -> schedule:live',
    schedule_expression: '${var.expression}',
    tags: { Rule: 'schedule', Enabled: '${null == "ENABLED"}', Unknown: '${each.value.typo}' },
  });
});

test('references through each.key and nested blocks are written out; literals keep their type', async () => {
  const targets = resourceInstances(await configOf(HCL), 'aws_cloudwatch_event_target');
  expect(targets.map((t) => t.body.rule)).toEqual([
    '${aws_cloudwatch_event_rule.trigger["rendered"].name}',
    '${aws_cloudwatch_event_rule.trigger["schedule"].name}',
  ]);
  expect(targets.map((t) => t.body.retry_policy)).toEqual([
    [{ maximum_retry_attempts: 3 }],
    [{ maximum_retry_attempts: 0 }],
  ]);
  expect(targets.every((t) => !('for_each' in t.body))).toBe(true);
});

test('a for_each over anything but a local map is returned as written', async () => {
  const queues = resourceInstances(await configOf(HCL), 'aws_sqs_queue');
  expect(queues).toEqual([
    {
      dir: '',
      type: 'aws_sqs_queue',
      name: 'by_name',
      label: 'by_name',
      body: { for_each: '${toset(var.names)}', name: '${each.value}' },
    },
  ]);
});
