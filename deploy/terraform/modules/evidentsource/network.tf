# The network: an optional VPC (public subnets for the ALB, private subnets for the tasks), and
# the two security groups that let only the ALB reach the tasks.

locals {
  azs        = var.availability_zones
  vpc_count  = var.create_vpc ? 1 : 0
  zone_count = var.create_vpc ? length(local.azs) : 0
  nat_count  = var.create_vpc ? (var.single_nat_gateway ? 1 : length(local.azs)) : 0

  vpc_id             = var.create_vpc ? aws_vpc.this[0].id : var.vpc_id
  public_subnet_ids  = var.create_vpc ? aws_subnet.public[*].id : var.public_subnet_ids
  private_subnet_ids = var.create_vpc ? aws_subnet.private[*].id : var.private_subnet_ids
}

resource "aws_vpc" "this" {
  count = local.vpc_count

  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = length(var.availability_zones) >= 2
      error_message = "availability_zones must name at least two zones when create_vpc is true (the ALB needs two)."
    }
  }
}

# No rules: nothing uses the default security group.
resource "aws_default_security_group" "this" {
  count = local.vpc_count

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${var.name}-default-unused" })
}

resource "aws_internet_gateway" "this" {
  count = local.vpc_count

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = var.name })
}

resource "aws_subnet" "public" {
  count = local.zone_count

  vpc_id                  = aws_vpc.this[0].id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, count.index)
  map_public_ip_on_launch = false
  tags                    = merge(local.tags, { Name = "${var.name}-public-${local.azs[count.index]}" })
}

resource "aws_subnet" "private" {
  count = local.zone_count

  vpc_id            = aws_vpc.this[0].id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index + 1)
  tags              = merge(local.tags, { Name = "${var.name}-private-${local.azs[count.index]}" })
}

resource "aws_route_table" "public" {
  count = local.vpc_count

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "public_internet" {
  count = local.vpc_count

  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count = local.zone_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"
  tags   = merge(local.tags, { Name = "${var.name}-nat-${count.index}" })
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = merge(local.tags, { Name = "${var.name}-${count.index}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  count = local.zone_count

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${var.name}-private-${local.azs[count.index]}" })
}

resource "aws_route" "private_nat" {
  count = local.zone_count

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "private" {
  count = local.zone_count

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# DynamoDB and S3 traffic stays inside AWS's network (and off the NAT gateways' bill).
resource "aws_vpc_endpoint" "gateway" {
  for_each = var.create_vpc ? toset(["dynamodb", "s3"]) : toset([])

  vpc_id            = aws_vpc.this[0].id
  service_name      = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id
  tags              = merge(local.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_158:encrypted by CloudWatch Logs with its service key; a customer managed key needs a key policy for the logs service, docs/deploy.md
  count = local.vpc_count

  name              = "/vpc/${var.name}/flow-logs"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_flow_log" "this" {
  count = local.vpc_count

  vpc_id               = aws_vpc.this[0].id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn         = aws_iam_role.flow_logs[0].arn
  tags                 = local.tags
}

# --- Security groups: clients -> ALB -> tasks -------------------------------------------------

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "EvidentSource ALB: HTTPS from clients, to the tasks' REST and gRPC ports"
  vpc_id      = local.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-alb" })
}

resource "aws_vpc_security_group_ingress_rule" "alb_rest" {
  for_each = toset(var.allowed_ingress_cidrs)

  security_group_id = aws_security_group.alb.id
  description       = "REST API and web UI (HTTPS)"
  ip_protocol       = "tcp"
  from_port         = var.rest_listener_port
  to_port           = var.rest_listener_port
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_ingress_rule" "alb_grpc" {
  for_each = toset(var.allowed_ingress_cidrs)

  security_group_id = aws_security_group.alb.id
  description       = "gRPC API (HTTPS, HTTP/2)"
  ip_protocol       = "tcp"
  from_port         = var.grpc_listener_port
  to_port           = var.grpc_listener_port
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  for_each = { rest = local.rest_port, grpc = local.grpc_port }

  security_group_id            = aws_security_group.alb.id
  description                  = "To the tasks' ${each.key} port (requests and health checks)"
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
  referenced_security_group_id = aws_security_group.tasks.id
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "EvidentSource tasks: REST and gRPC from the ALB only; HTTPS out to AWS APIs"
  vpc_id      = local.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-tasks" })
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  for_each = { rest = local.rest_port, grpc = local.grpc_port }

  security_group_id            = aws_security_group.tasks.id
  description                  = "${each.key} port from the ALB only"
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to AWS APIs (DynamoDB, S3, SNS, CloudWatch Logs, Secrets Manager, ECR)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
