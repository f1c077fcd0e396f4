# The Application Load Balancer: one HTTPS listener for REST (HTTP/1.1 to the tasks), one for
# gRPC (HTTP/2 end to end), both health-checked on the server's readiness.

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_76:the module creates no web ACL (web_acl_arn attaches yours); the server logs with Logback, log4j-core is not in the image
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = var.internal
  security_groups            = [aws_security_group.alb.id]
  subnets                    = local.public_subnet_ids
  idle_timeout               = var.alb_idle_timeout_seconds
  enable_http2               = true
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  tags                       = local.tags

  dynamic "access_logs" {
    for_each = var.alb_access_logs_bucket == null ? [] : [var.alb_access_logs_bucket]
    content {
      bucket  = access_logs.value
      prefix  = var.name
      enabled = true
    }
  }

  lifecycle {
    # An idle live tail (SSE or gRPC SubscribeEvents) sends a heartbeat every
    # subscription_heartbeat_seconds; the ALB closes connections idle for idle_timeout.
    precondition {
      condition     = var.subscription_heartbeat_seconds * 2 <= var.alb_idle_timeout_seconds
      error_message = "subscription_heartbeat_seconds must be at most half of alb_idle_timeout_seconds, or idle live tails are cut by the ALB."
    }
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  count = var.web_acl_arn == null ? 0 : 1

  resource_arn = aws_lb.this.arn
  web_acl_arn  = var.web_acl_arn
}

resource "aws_lb_target_group" "rest" {
  name                 = "${var.name}-rest"
  port                 = local.rest_port
  protocol             = "HTTP"
  protocol_version     = "HTTP1"
  target_type          = "ip"
  vpc_id               = local.vpc_id
  deregistration_delay = var.deregistration_delay_seconds
  tags                 = local.tags

  health_check {
    enabled             = true
    protocol            = "HTTP"
    port                = "traffic-port"
    path                = local.readiness_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_target_group" "grpc" {
  name                 = "${var.name}-grpc"
  port                 = local.grpc_port
  protocol             = "HTTP"
  protocol_version     = "GRPC"
  target_type          = "ip"
  vpc_id               = local.vpc_id
  deregistration_delay = var.deregistration_delay_seconds
  tags                 = local.tags

  # A gRPC target group is checked with a gRPC call; the matcher is a gRPC status code (0 = OK).
  health_check {
    enabled             = true
    protocol            = "HTTP"
    port                = "traffic-port"
    path                = local.grpc_health_path
    matcher             = "0"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "rest" {
  load_balancer_arn = aws_lb.this.arn
  port              = var.rest_listener_port
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn
  tags              = local.tags

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.rest.arn
  }
}

resource "aws_lb_listener" "grpc" {
  load_balancer_arn = aws_lb.this.arn
  port              = var.grpc_listener_port
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn
  tags              = local.tags

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.grpc.arn
  }
}
