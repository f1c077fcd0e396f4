# Least privilege: the task role may call exactly the AWS actions the server's storage adapters
# call (DynamoDB, S3, SNS), on this deployment's resources only. The build checks both ways that
# these are the actions the code uses (deploy/src/test/java/.../TerraformTest).

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# --- Task role: what the server itself calls --------------------------------------------------

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  description        = "EvidentSource server tasks: its DynamoDB tables, component modules in S3, commit topic"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "task" {
  # The log, catalog, idempotency records, relay watermarks and component registry. Transactions
  # (TransactWriteItems) are authorized by the item actions they contain (Put, Update, Delete,
  # ConditionCheck); Scan lists the catalog and the watermarks; DeleteItem and BatchWriteItem
  # delete and purge databases.
  statement {
    sid = "Tables"
    actions = [
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DeleteItem",
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:UpdateItem",
    ]
    resources = [for table in aws_dynamodb_table.this : table.arn]
  }

  # Component modules, content-addressed under {table_prefix}/modules/.
  statement {
    sid       = "ComponentModules"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.components.arn}/${local.modules_prefix}*"]
  }

  # Event data above evidentsource.dynamodb.large-data-bytes, content-addressed under
  # {table_prefix}/data/ (docs/dynamodb.md#large-events).
  statement {
    sid       = "LargeEventData"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.components.arn}/${local.data_prefix}*"]
  }

  # Index segments too large for one DynamoDB transaction, under {table_prefix}/index/; deleted
  # with their database by the purge (docs/dynamodb.md#index-segments).
  statement {
    sid       = "LargeIndexSegments"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.components.arn}/${local.index_prefix}*"]
  }

  # The bucket check at start (HeadBucket is authorized as s3:ListBucket), and the listing of a
  # deleted database's index segment objects by the purge (ListObjectsV2).
  statement {
    sid       = "ComponentBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.components.arn]
  }

  statement {
    sid       = "CommitNotifications"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.commits.arn]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "evidentsource-storage"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# --- Execution role: what ECS does to start a task (pull, logs, the keys secret) ---------------

resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  description        = "ECS agent for EvidentSource tasks: image pull, logs, the API keys secret"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.server.arn}:*"]
  }

  statement {
    sid       = "ApiKeysSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.api_keys_secret_arn]
  }

  dynamic "statement" {
    for_each = var.ecr_repository_arn == null ? [] : [var.ecr_repository_arn]
    content {
      sid       = "PullImage"
      actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      resources = [statement.value]
    }
  }

  # ecr:GetAuthorizationToken has no resource-level permissions: AWS only accepts "*" for it.
  dynamic "statement" {
    for_each = var.ecr_repository_arn == null ? [] : [var.ecr_repository_arn]
    content {
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "evidentsource-task-start"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- VPC flow logs ----------------------------------------------------------------------------

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  count = local.vpc_count

  name               = "${var.name}-flow-logs"
  description        = "VPC flow logs of the EvidentSource VPC"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "flow_logs" {
  count = local.vpc_count

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow_logs[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  count = local.vpc_count

  name   = "flow-logs-delivery"
  role   = aws_iam_role.flow_logs[0].id
  policy = data.aws_iam_policy_document.flow_logs[0].json
}
