# EvidentSource on ECS Fargate behind an Application Load Balancer, on DynamoDB with SNS
# notifications (profile dynamodb-sns). docs/deploy.md explains every choice made here.

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # The server's ports: server.port (REST, web UI, actuator) and spring.grpc.server.port. The
  # image EXPOSEs both; the task definition sets both explicitly.
  rest_port = 8080
  grpc_port = 9090

  # Readiness probe of the server (Spring Boot actuator; open without an API key). The REST
  # target group checks it; the image's HEALTHCHECK and the container health check ask it too.
  readiness_path = "/actuator/health/readiness"
  # The gRPC health service (grpc.health.v1.Health), whose overall status the image ties to the
  # same readiness state (SPRING_GRPC_SERVER_HEALTH_ACTUATOR_HEALTH_INDICATOR_PATHS).
  grpc_health_path = "/grpc.health.v1.Health/Check"

  # The tables the DynamoDB adapter creates (create-tables) or checks at start (DynamoDbSchema):
  # {table_prefix}-{key}, a string partition key and an optional sort key.
  table_prefix = var.name
  tables = {
    databases    = { hash_key = "name", range_key = null, range_key_type = null }
    events       = { hash_key = "db", range_key = "rev", range_key_type = "N" }
    transactions = { hash_key = "tx", range_key = null, range_key_type = null }
    indexes      = { hash_key = "pk", range_key = "sk", range_key_type = "N" }
    publications = { hash_key = "db", range_key = null, range_key_type = null }
    components   = { hash_key = "pk", range_key = "sk", range_key_type = "S" }
  }

  # Published component modules live under this key prefix of the components bucket (ADR 0007).
  modules_prefix = "${local.table_prefix}/modules/"
  data_prefix    = "${local.table_prefix}/data/"
  index_prefix   = "${local.table_prefix}/index/"

  # The API keys file, written from Secrets Manager into a task-local volume before the server
  # starts (evidentsource.security.api-keys-file).
  api_keys_dir  = "/run/evidentsource/keys"
  api_keys_file = "${local.api_keys_dir}/api-keys"

  # The server's configuration: environment variables that Spring Boot binds to its properties
  # (EVIDENTSOURCE_DYNAMODB_TABLE_PREFIX -> evidentsource.dynamodb.table-prefix). Profiles: prod
  # (production safety rules) and the storage adapter. Forward headers: the ALB (a private address,
  # which Tomcat trusts) sends X-Forwarded-For/-Proto, so the server sees the client and https.
  environment = {
    SPRING_PROFILES_ACTIVE                         = "prod,dynamodb-sns"
    SERVER_PORT                                    = tostring(local.rest_port)
    SPRING_GRPC_SERVER_PORT                        = tostring(local.grpc_port)
    SERVER_FORWARD_HEADERS_STRATEGY                = "native"
    EVIDENTSOURCE_DYNAMODB_REGION                  = data.aws_region.current.region
    EVIDENTSOURCE_DYNAMODB_TABLE_PREFIX            = local.table_prefix
    EVIDENTSOURCE_DYNAMODB_CREATE_TABLES           = "false"
    EVIDENTSOURCE_DYNAMODB_COMPONENTS_BUCKET       = aws_s3_bucket.components.bucket
    EVIDENTSOURCE_SNS_TOPIC_ARN                    = aws_sns_topic.commits.arn
    EVIDENTSOURCE_SUBSCRIPTIONS_HEARTBEAT_INTERVAL = "${var.subscription_heartbeat_seconds}s"
    EVIDENTSOURCE_SECURITY_ENABLED                 = "true"
    EVIDENTSOURCE_SECURITY_API_KEYS_FILE           = local.api_keys_file
  }

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  tags = merge(var.tags, { "evidentsource:deployment" = var.name })
}

# --- Storage: the event log, catalog and registry tables --------------------------------------

resource "aws_dynamodb_table" "this" {
  for_each = local.tables

  name                        = "${local.table_prefix}-${each.key}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key
  range_key                   = each.value.range_key
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = each.value.hash_key
    type = "S"
  }

  dynamic "attribute" {
    for_each = each.value.range_key == null ? [] : [each.value]
    content {
      name = attribute.value.range_key
      type = attribute.value.range_key_type
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  # Encrypted with the AWS managed key aws/dynamodb. A customer managed key would need KMS
  # permissions for the task role, which calls no KMS action itself (see iam.tf).
  #checkov:skip=CKV_AWS_119:AWS managed key (aws/dynamodb); a customer managed key adds KMS grants beyond the actions the server calls, docs/deploy.md
  server_side_encryption {
    enabled = true
  }

  tags = local.tags
}

# --- Storage: the modules of published state views and state changes --------------------------

resource "aws_s3_bucket" "components" {
  #checkov:skip=CKV_AWS_18:server access logs need a separate log bucket; object-level audit is CloudTrail data events, docs/deploy.md
  #checkov:skip=CKV_AWS_144:regional like the DynamoDB tables it belongs to; cross-region recovery is a deployment decision, docs/deploy.md
  #checkov:skip=CKV2_AWS_62:nothing consumes bucket events; modules are written and read by the server only
  bucket = "${var.name}-components-${local.account_id}-${local.region}"
  tags   = local.tags
}

resource "aws_s3_bucket_versioning" "components" {
  bucket = aws_s3_bucket.components.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "components" {
  bucket = aws_s3_bucket.components.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "components" {
  bucket = aws_s3_bucket.components.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "components" {
  bucket = aws_s3_bucket.components.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Modules are content-addressed and never overwritten; old versions only appear if one is
# rewritten by hand, and incomplete uploads are cleaned up.
resource "aws_s3_bucket_lifecycle_configuration" "components" {
  bucket = aws_s3_bucket.components.id

  rule {
    id     = "noncurrent-versions-and-incomplete-uploads"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 90
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_iam_policy_document" "components_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.components.arn,
      "${aws_s3_bucket.components.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "components" {
  bucket = aws_s3_bucket.components.id
  policy = data.aws_iam_policy_document.components_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.components]
}

# --- Notifications: one message per committed transaction -------------------------------------

resource "aws_sns_topic" "commits" {
  # On a FIFO topic the publisher sets the message group (the database) and a deduplication id
  # per message (database and revisions), so content-based deduplication stays off.
  name       = var.sns_fifo ? "${var.name}-commits.fifo" : "${var.name}-commits"
  fifo_topic = var.sns_fifo
  # AWS managed key aws/sns: publishers in this account need no KMS permission of their own.
  kms_master_key_id = "alias/aws/sns"
  tags              = local.tags
}
