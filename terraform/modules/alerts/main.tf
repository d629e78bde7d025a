# Ops alerting for one workspace: the SNS topic (encrypted with its own KMS key), every alarm
# (each notifies on ALARM and on OK), and a dashboard. Reconciler metrics come from the handlers'
# Embedded Metric Format log lines: namespace `Reconciler`, one dimension `Workspace`
# (shared/observability/metrics.ts). Every point where an event can be dropped has an alarm: the
# rules' dead-letter delivery, the functions' destinations and async queues, messages held in the
# DLQ, and the sweep itself (its heartbeat).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  # Alarm ARNs of this module, for the topic and key policies.
  alarm_arn_pattern = "arn:${data.aws_partition.current.partition}:cloudwatch:${var.aws_region}:${data.aws_caller_identity.current.account_id}:alarm:${var.name_prefix}-*"

  # A message held invisible (received, not deleted) this long is stuck: a dry run or a drain that
  # keeps receiving messages it leaves. ApproximateNumberOfMessagesVisible does not count them.
  dlq_in_flight_period_seconds = 300
  dlq_in_flight_periods        = 12

  # Money-path metrics. period_seconds: Drift and StuckJobs are reported once per sweep run, so their
  # window is the default sweep interval (the alarm stays in ALARM until a clean run); the others are
  # per event and page within 5 minutes.
  reconciler_alarms = {
    adjustments = {
      metric         = "Adjustments"
      period_seconds = 3600
      threshold      = var.adjustments_alarm_threshold_per_hour
      description    = "The sweep changed more than ${var.adjustments_alarm_threshold_per_hour} balances in an hour: the event path is losing events (producers, rules, or a paused workspace)."
    }
    anomalies = {
      metric         = "Anomalies"
      period_seconds = 300
      threshold      = 0
      description    = "A money anomaly (rendered_after_failed, conflicting_duplicate, overdraft): logged with details; a human decides."
    }
    drift = {
      metric         = "Drift"
      period_seconds = 21600
      threshold      = 0
      description    = "The audit found a balance that differs from its ledger sum: the core invariant is broken for at least one user."
    }
    overdraft_refused = {
      metric         = "OverdraftRefused"
      period_seconds = 300
      threshold      = 0
      description    = "A debit would take a balance beyond the overdraft floor: it was not written and waits in the DLQ (or on the sweep's index) for a person."
    }
    unjustified = {
      metric         = "Unjustified"
      period_seconds = 21600
      threshold      = 0
      description    = "The audit found a ledger entry the reconciler could not have written (a refund without its debit, an unknown kind): money may have been minted."
    }
    invalid = {
      metric         = "Invalid"
      period_seconds = 300
      threshold      = 0
      description    = "Events failed validation and were sent to the DLQ with the reason: a producer is sending bad events."
    }
    reserve_refusals = {
      metric         = "ReserveRefusals"
      period_seconds = 3600
      threshold      = var.reserve_refusals_alarm_threshold_per_hour
      description    = "More than ${var.reserve_refusals_alarm_threshold_per_hour} reserves refused for want of credits in an hour: a producer reserves for users who cannot pay, or top-ups are not arriving. No money moved; renders were not started."
    }
    stuck_jobs = {
      metric         = "StuckJobs"
      period_seconds = 21600
      threshold      = 0
      description    = "Jobs not terminal long after creation (SWEEP_STUCK_AFTER_HOURS): a producer problem, no money moved."
    }
  }
}

# --- topic and its key ---------------------------------------------------------------------------

# The alert texts name users and jobs, so the topic is encrypted at rest with a key of its own.
# CloudWatch alarms cannot publish to a topic under the AWS-managed aws/sns key (its policy cannot be
# changed); this customer-managed key's policy lets exactly the publishers use it: CloudWatch, for
# this module's alarms, and the roles in var.topic_publisher_role_arns (the sweep), through SNS.
# Key administration is delegated to IAM (the deploy role manages it); using the key is not: no
# identity policy can grant kms:Decrypt on it. Rotated yearly.
resource "aws_kms_key" "topic" {
  description             = "Encrypts the ops topic ${var.topic_name} (alarms and sweep reports)."
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.topic_key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "topic" {
  name          = var.kms_alias_name
  target_key_id = aws_kms_key.topic.key_id
}

# In a key policy "*" as the resource means this key, and kms:GenerateDataKey* is the grant AWS
# documents for SNS publishers (tests/terraform allow exactly these two in key policies).
data "aws_iam_policy_document" "topic_key" {
  statement {
    sid    = "AdministerThroughIam"
    effect = "Allow"
    actions = [
      "kms:CancelKeyDeletion",
      "kms:CreateAlias",
      "kms:DeleteAlias",
      "kms:DescribeKey",
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "kms:EnableKey",
      "kms:EnableKeyRotation",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListKeyRotations",
      "kms:ListResourceTags",
      "kms:PutKeyPolicy",
      "kms:RotateKeyOnDemand",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateAlias",
      "kms:UpdateKeyDescription",
    ]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublish"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.alarm_arn_pattern]
    }
  }

  statement {
    sid       = "PublishersThroughSns"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = var.topic_publisher_role_arns
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sns.${var.aws_region}.amazonaws.com"]
    }
  }
}

resource "aws_sns_topic" "this" {
  name              = var.topic_name
  kms_master_key_id = aws_kms_key.topic.arn
  tags              = var.tags
}

# CloudWatch may publish for this account's alarms of this module only (aws:SourceArn), which also
# rules out a confused deputy in another account. The sweep publishes with its own role (sns:Publish
# in its identity policy).
data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "CloudWatchAlarmsPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.alarm_arn_pattern]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.email_subscriptions)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

# --- per-function alarms ------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  for_each = var.function_names

  alarm_name          = "${var.name_prefix}-${each.key}-errors"
  alarm_description   = "${each.value} returned errors (Lambda retries, then the event goes to the DLQ). Check its logs."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "function_throttles" {
  for_each = var.function_names

  alarm_name          = "${var.name_prefix}-${each.key}-throttles"
  alarm_description   = "${each.value} was throttled (reserved concurrency reached; expected while paused, when notifications are muted)."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  # While paused, debit/refund throttles are the mechanism, not a problem: keep the alarm, mute it.
  actions_enabled = !contains(var.throttle_alarm_muted_functions, each.key)
  alarm_actions   = [aws_sns_topic.this.arn]
  ok_actions      = [aws_sns_topic.this.arn]
  tags            = var.tags
}

# Lambda could not hand a failed asynchronous invocation to its on-failure destination (the queue
# refused it: a broken queue policy, a deleted queue): that event is gone from the DLQ path.
resource "aws_cloudwatch_metric_alarm" "function_destination_failures" {
  for_each = var.async_function_names

  alarm_name          = "${var.name_prefix}-${each.key}-destination-failures"
  alarm_description   = "${each.value} could not deliver a failed event to its on-failure destination (DestinationDeliveryFailures): the event is lost to the DLQ. Fix the queue or its policy, then recover the event from the bus archive (aws events start-replay)."
  namespace           = "AWS/Lambda"
  metric_name         = "DestinationDeliveryFailures"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}

# Lambda dropped asynchronous events without running the function to the end and without a
# destination taking them (e.g. older than the maximum event age with nowhere to go).
resource "aws_cloudwatch_metric_alarm" "function_async_events_dropped" {
  for_each = var.async_function_names

  alarm_name          = "${var.name_prefix}-${each.key}-async-events-dropped"
  alarm_description   = "Lambda dropped asynchronous events of ${each.value} (AsyncEventsDropped): they never ran and never reached a destination. Recover them from the bus archive (aws events start-replay)."
  namespace           = "AWS/Lambda"
  metric_name         = "AsyncEventsDropped"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}

# --- EventBridge: a rule's target dead-letter queue refused an event -----------------------------

# Metrics of a rule on the default bus have the dimension RuleName only; on a custom bus
# EventBusName and RuleName. EventBridge sends this metric only when it is not zero.
resource "aws_cloudwatch_metric_alarm" "rule_dlq_send_failures" {
  for_each = var.rules

  alarm_name          = "${var.name_prefix}-${replace(each.key, "_", "-")}-dlq-send-failures"
  alarm_description   = "EventBridge could not put an undeliverable event of rule ${each.value.rule_name} into its dead-letter queue (InvocationsFailedToBeSentToDlq): the event is lost to the DLQ. Fix the queue or its policy, then recover the event from the bus archive (aws events start-replay)."
  namespace           = "AWS/Events"
  metric_name         = "InvocationsFailedToBeSentToDlq"
  dimensions          = { for name, value in { EventBusName = each.value.event_bus_name, RuleName = each.value.rule_name } : name => value if name == "RuleName" || value != "default" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}

# --- DLQ alarms ---------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  alarm_name          = "${var.name_prefix}-dlq-depth"
  alarm_description   = "Messages are waiting in ${var.dlq_name}: events not applied yet. Fix the cause, then make replay-dlq."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.dlq_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  # An empty, idle queue stops reporting after a while: missing data means nothing is waiting.
  treat_missing_data = "notBreaching"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_oldest_message" {
  alarm_name          = "${var.name_prefix}-dlq-oldest-message"
  alarm_description   = "The oldest message in ${var.dlq_name} is older than ${var.dlq_oldest_message_alarm_seconds}s; DLQ messages expire after 14 days."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = var.dlq_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.dlq_oldest_message_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}

# Messages received but neither deleted nor made visible again, for a whole hour: held by a dry
# run, or received again and again by a drain that leaves them. They do not count as visible, and
# SQS still deletes them after 14 days.
resource "aws_cloudwatch_metric_alarm" "dlq_in_flight" {
  alarm_name          = "${var.name_prefix}-dlq-in-flight"
  alarm_description   = "Messages in ${var.dlq_name} have been held invisible (received, not deleted) for over an hour: a replay or drain is stuck on them, and they still expire after 14 days."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesNotVisible"
  dimensions          = { QueueName = var.dlq_name }
  statistic           = "Minimum"
  period              = local.dlq_in_flight_period_seconds
  evaluation_periods  = local.dlq_in_flight_periods
  datapoints_to_alarm = local.dlq_in_flight_periods
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "sweep_failures_depth" {
  alarm_name          = "${var.name_prefix}-sweep-failures-depth"
  alarm_description   = "Failed sweep (or replay-dlq) invocations are waiting in ${var.sweep_failures_queue_name}. No money event is in there; read them, fix the cause, then delete them."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.sweep_failures_queue_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}

# --- money-path alarms (EMF metrics) ------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "reconciler" {
  for_each = local.reconciler_alarms

  alarm_name          = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  alarm_description   = each.value.description
  namespace           = var.metric_namespace
  metric_name         = each.value.metric
  dimensions          = { Workspace = var.workspace }
  statistic           = "Sum"
  period              = each.value.period_seconds
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  # No metric line = nothing happened (EMF metrics exist only when a handler reports them).
  treat_missing_data = "notBreaching"

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]
  tags          = var.tags
}

# --- sweep heartbeat --------------------------------------------------------------------------

# The sweep reports SweepRuns = 1 for each run that did its work (0 when another run held the
# lease). No run for sweep_heartbeat_hours, or only locked-out ones, means the backstop for lost
# events is not running: here missing data is the failure, so it counts as breaching. Muted while
# paused (the schedule is disabled then).
resource "aws_cloudwatch_metric_alarm" "sweep_heartbeat" {
  alarm_name          = "${var.name_prefix}-sweep-heartbeat"
  alarm_description   = "No sweep run did its work in ${var.sweep_heartbeat_hours} hours (SweepRuns < 1): lost events are not being settled and balances not audited. Check the schedule rule, the sweep's errors and its lease."
  namespace           = var.metric_namespace
  metric_name         = "SweepRuns"
  dimensions          = { Workspace = var.workspace }
  statistic           = "Sum"
  period              = var.sweep_heartbeat_hours * 3600
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"

  actions_enabled = !var.sweep_heartbeat_muted
  alarm_actions   = [aws_sns_topic.this.arn]
  ok_actions      = [aws_sns_topic.this.arn]
  tags            = var.tags
}

# --- dashboard ----------------------------------------------------------------------------------

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.dashboard_name
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "text", x = 0, y = 0, width = 24, height = 2
        properties = {
          markdown = "## credit-reconciler `${var.workspace}`\nAlarms notify ${var.topic_name}. DLQ: `${var.dlq_name}` (replay: `make replay-dlq WS=${var.workspace}`)."
        }
      },
      {
        type = "metric", x = 0, y = 2, width = 12, height = 6
        properties = {
          title   = "Settlements"
          region  = var.aws_region
          stat    = "Sum"
          period  = 300
          metrics = [for m in ["Debits", "Refunds", "NoCharge", "Duplicates"] : [var.metric_namespace, m, "Workspace", var.workspace]]
        }
      },
      {
        type = "metric", x = 12, y = 2, width = 12, height = 6
        properties = {
          title   = "Needs attention"
          region  = var.aws_region
          stat    = "Sum"
          period  = 300
          metrics = [for m in ["Anomalies", "Invalid", "Drift", "Unjustified", "OverdraftRefused", "StuckJobs"] : [var.metric_namespace, m, "Workspace", var.workspace]]
        }
      },
      {
        type = "metric", x = 0, y = 8, width = 12, height = 6
        properties = {
          title   = "Sweep and replay"
          region  = var.aws_region
          stat    = "Sum"
          period  = 3600
          metrics = [for m in ["SweepRuns", "Adjustments", "Stragglers", "Replayed"] : [var.metric_namespace, m, "Workspace", var.workspace]]
        }
      },
      {
        type = "metric", x = 12, y = 8, width = 12, height = 6
        properties = {
          title  = "DLQ"
          region = var.aws_region
          stat   = "Maximum"
          period = 300
          metrics = [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dlq_name],
            ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", var.dlq_name],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.sweep_failures_queue_name],
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.dlq_name, { yAxis = "right" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 20, width = 24, height = 6
        properties = {
          title   = "Holds: reserves, refusals, and how holds end"
          region  = var.aws_region
          stat    = "Sum"
          period  = 300
          metrics = [for m in ["Reserves", "ReserveRefusals", "Captures", "Releases", "HoldsExpired"] : [var.metric_namespace, m, "Workspace", var.workspace]]
        }
      },
      {
        type = "metric", x = 0, y = 14, width = 12, height = 6
        properties = {
          title  = "Lambda errors and throttles"
          region = var.aws_region
          stat   = "Sum"
          period = 300
          # concat, not flatten: flatten would also flatten each metric's own array.
          metrics = concat(
            [for key, name in var.function_names : ["AWS/Lambda", "Errors", "FunctionName", name]],
            [for key, name in var.function_names : ["AWS/Lambda", "Throttles", "FunctionName", name]],
          )
        }
      },
      {
        type = "metric", x = 12, y = 14, width = 12, height = 6
        properties = {
          title   = "Lambda duration p99 (ms)"
          region  = var.aws_region
          stat    = "p99"
          period  = 300
          metrics = [for key, name in var.function_names : ["AWS/Lambda", "Duration", "FunctionName", name]]
        }
      },
    ]
  })
}
