# The servers: an ECS Fargate service of stateless tasks, scaled on CPU and on ALB requests.

resource "aws_ecs_cluster" "this" {
  name = var.name
  tags = local.tags

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "server" {
  #checkov:skip=CKV_AWS_158:encrypted by CloudWatch Logs with its service key; a customer managed key needs a key policy for the logs service, docs/deploy.md
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

locals {
  container_name = "evidentsource"
  # The image's non-root user (docker/Dockerfile).
  container_user = "10001:10001"

  log_configuration = {
    logDriver = "awslogs"
    options = {
      awslogs-group         = aws_cloudwatch_log_group.server.name
      awslogs-region        = local.region
      awslogs-stream-prefix = "ecs"
    }
  }

  container_definitions = [
    {
      # Writes the API keys file from Secrets Manager into the task's keys volume, then exits.
      name                   = "api-keys"
      image                  = var.image
      essential              = false
      user                   = local.container_user
      readonlyRootFilesystem = true
      entryPoint             = ["/bin/sh", "-c"]
      command                = ["umask 077 && printf '%s\\n' \"$API_KEYS\" > ${local.api_keys_file}"]
      secrets                = [{ name = "API_KEYS", valueFrom = var.api_keys_secret_arn }]
      mountPoints            = [{ sourceVolume = "api-keys", containerPath = local.api_keys_dir, readOnly = false }]
      logConfiguration       = local.log_configuration
    },
    {
      name                   = local.container_name
      image                  = var.image
      essential              = true
      user                   = local.container_user
      readonlyRootFilesystem = true
      portMappings = [
        { name = "rest", containerPort = local.rest_port, protocol = "tcp", appProtocol = "http" },
        { name = "grpc", containerPort = local.grpc_port, protocol = "tcp", appProtocol = "grpc" },
      ]
      environment = [for key in sort(keys(local.environment)) : { name = key, value = local.environment[key] }]
      mountPoints = [
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
        { sourceVolume = "api-keys", containerPath = local.api_keys_dir, readOnly = true },
      ]
      dependsOn = [{ containerName = "api-keys", condition = "SUCCESS" }]
      # The image's HEALTHCHECK: readiness on the REST port.
      healthCheck = {
        command     = ["CMD", "/usr/local/bin/evidentsource-healthcheck"]
        interval    = 15
        timeout     = 5
        retries     = 3
        startPeriod = 60
      }
      # Spring Boot shuts down gracefully (in-flight requests finish) within 30 s per phase.
      stopTimeout      = 60
      logConfiguration = local.log_configuration
    },
  ]
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  task_role_arn            = aws_iam_role.task.arn
  execution_role_arn       = aws_iam_role.execution.arn
  container_definitions    = jsonencode(local.container_definitions)
  tags                     = local.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Task-local scratch space (the root file system is read-only): Tomcat's and the NDJSON bulk
  # loader's temporary files, and the API keys file.
  volume {
    name = "tmp"
  }

  volume {
    name = "api-keys"
  }
}

resource "aws_ecs_service" "this" {
  name                               = var.name
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.min_capacity
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 60
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"
  tags                               = local.tags

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = local.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.rest.arn
    container_name   = local.container_name
    container_port   = local.rest_port
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.grpc.arn
    container_name   = local.container_name
    container_port   = local.grpc_port
  }

  lifecycle {
    # the autoscaling target owns the count once the service exists
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.rest, aws_lb_listener.grpc]
}

# --- Autoscaling ------------------------------------------------------------------------------

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
  tags               = local.tags
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  for_each = {
    rest = aws_lb_target_group.rest.arn_suffix
    grpc = aws_lb_target_group.grpc.arn_suffix
  }

  name               = "${var.name}-${each.key}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this.arn_suffix}/${each.value}"
    }
  }
}
