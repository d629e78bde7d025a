# Addresses the EventBridge wiring had before events.tf made each rule/target/permission triplet one
# for_each over local.triggers (issue 13). Without these blocks Terraform would read the change as
# nine resources removed and nine added: it would destroy each rule (events arriving in between match
# nothing and are dropped) and each permission (the target's invocations are refused), then create
# them again. With them, an existing workspace's plan shows nine moves and nothing to add, change or
# destroy. Keep them while any workspace may not have applied since: deleting a block turns its move
# back into destroy + create there. tests/terraform/moved.unit.test.ts checks that every old address
# has its block and that each lands on an instance that exists.

# --- video.rendered -> debit ------------------------------------------------------------------
moved {
  from = aws_cloudwatch_event_rule.video_rendered
  to   = aws_cloudwatch_event_rule.trigger["video_rendered"]
}

moved {
  from = aws_cloudwatch_event_target.video_rendered
  to   = aws_cloudwatch_event_target.trigger["video_rendered"]
}

moved {
  from = aws_lambda_permission.video_rendered
  to   = aws_lambda_permission.trigger["video_rendered"]
}

# --- video.failed -> refund -------------------------------------------------------------------
moved {
  from = aws_cloudwatch_event_rule.video_failed
  to   = aws_cloudwatch_event_rule.trigger["video_failed"]
}

moved {
  from = aws_cloudwatch_event_target.video_failed
  to   = aws_cloudwatch_event_target.trigger["video_failed"]
}

moved {
  from = aws_lambda_permission.video_failed
  to   = aws_lambda_permission.trigger["video_failed"]
}

# --- schedule -> sweep ------------------------------------------------------------------------
moved {
  from = aws_cloudwatch_event_rule.sweep_schedule
  to   = aws_cloudwatch_event_rule.trigger["sweep_schedule"]
}

moved {
  from = aws_cloudwatch_event_target.sweep_schedule
  to   = aws_cloudwatch_event_target.trigger["sweep_schedule"]
}

moved {
  from = aws_lambda_permission.sweep_schedule
  to   = aws_lambda_permission.trigger["sweep_schedule"]
}
