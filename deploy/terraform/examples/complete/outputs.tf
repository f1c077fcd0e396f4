output "rest_url" {
  description = "Base URL of the REST API (use the certificate's host name, aliased to the ALB)."
  value       = "https://${module.evidentsource.alb_dns_name}:${module.evidentsource.rest_port}"
}

output "grpc_target" {
  description = "gRPC target (TLS)."
  value       = "${module.evidentsource.alb_dns_name}:${module.evidentsource.grpc_port}"
}

output "api_keys_secret_arn" {
  description = "Put the API keys file here: aws secretsmanager put-secret-value --secret-id ARN --secret-string file://api-keys"
  value       = aws_secretsmanager_secret.api_keys.arn
}

output "commit_topic_arn" {
  description = "SNS topic of committed transactions."
  value       = module.evidentsource.commit_topic_arn
}

output "service_name" {
  description = "ECS service."
  value       = module.evidentsource.service_name
}
