output "alb_dns_name" {
  description = "DNS name of the ALB: point the certificate's host name at it (an alias record)."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone of the ALB, for a Route 53 alias record."
  value       = aws_lb.this.zone_id
}

output "rest_port" {
  description = "HTTPS port of the REST API and web UI on the ALB."
  value       = var.rest_listener_port
}

output "grpc_port" {
  description = "HTTPS port of the gRPC API on the ALB."
  value       = var.grpc_listener_port
}

output "table_names" {
  description = "The DynamoDB tables, by role (databases, events, transactions, indexes, publications, components)."
  value       = { for key, table in aws_dynamodb_table.this : key => table.name }
}

output "components_bucket" {
  description = "The S3 bucket of published component modules."
  value       = aws_s3_bucket.components.bucket
}

output "commit_topic_arn" {
  description = "The SNS topic every committed transaction is announced on: subscribe SQS queues or Lambdas to it."
  value       = aws_sns_topic.commits.arn
}

output "cluster_name" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "The ECS service (aws ecs update-service --force-new-deployment rolls the tasks)."
  value       = aws_ecs_service.this.name
}

output "task_role_arn" {
  description = "The role the server runs as."
  value       = aws_iam_role.task.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the server."
  value       = aws_cloudwatch_log_group.server.name
}

output "vpc_id" {
  description = "The VPC the service runs in."
  value       = local.vpc_id
}
