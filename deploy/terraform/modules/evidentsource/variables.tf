variable "name" {
  description = "Name of the deployment: prefix of every resource, and the DynamoDB table prefix (evidentsource.dynamodb.table-prefix), so tables are {name}-databases, {name}-events, ..."
  type        = string
  default     = "evidentsource"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name))
    error_message = "name must be 3-20 characters of a-z, 0-9 and '-', starting with a letter (it prefixes ALB and target group names, which allow 32 characters)."
  }
}

variable "image" {
  description = "The server's container image (built from docker/Dockerfile), e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/evidentsource:0.1.0. Pin a digest or an immutable tag: a rolling deployment starts tasks from whatever the reference names at that moment."
  type        = string
}

variable "ecr_repository_arn" {
  description = "ARN of the ECR repository holding the image, when it is a private ECR image: the task execution role may then pull from it. Null for an image the tasks can pull without credentials."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listeners (REST and gRPC), for the host name clients use."
  type        = string
}

variable "api_keys_secret_arn" {
  description = "Secrets Manager secret whose value is the server's API keys file (evidentsource.security.api-keys-file: one 'name sha256 scope,scope,...' line per key). Written into the task's keys volume at start; see docs/deploy.md for rotation."
  type        = string
}

variable "create_vpc" {
  description = "Create a VPC (public subnets for the ALB, private subnets with NAT for the tasks, gateway endpoints for DynamoDB and S3, flow logs). False: use vpc_id and the subnet inputs."
  type        = bool
  default     = true
}

variable "vpc_cidr" {
  description = "CIDR block of the created VPC (create_vpc = true)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones of the created VPC's subnets, e.g. [\"eu-west-1a\", \"eu-west-1b\"] (create_vpc = true): at least two, named so that the set never changes under a running deployment."
  type        = list(string)
  default     = []
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper; the tasks lose AWS API access except DynamoDB and S3 if its zone fails) instead of one per zone."
  type        = bool
  default     = false
}

variable "vpc_id" {
  description = "Existing VPC (create_vpc = false)."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  description = "Existing subnets for the ALB, in at least two zones (create_vpc = false)."
  type        = list(string)
  default     = []
}

variable "private_subnet_ids" {
  description = "Existing subnets for the tasks, with a route to the AWS APIs (NAT or VPC endpoints for SNS, CloudWatch Logs, Secrets Manager and ECR) (create_vpc = false)."
  type        = list(string)
  default     = []
}

variable "internal" {
  description = "Make the ALB internal (reachable only inside the VPC and networks connected to it)."
  type        = bool
  default     = false
}

variable "allowed_ingress_cidrs" {
  description = "Client networks allowed to reach the ALB's listeners."
  type        = list(string)
}

variable "rest_listener_port" {
  description = "HTTPS port of the REST API and web UI on the ALB."
  type        = number
  default     = 443
}

variable "grpc_listener_port" {
  description = "HTTPS port of the gRPC API on the ALB (HTTP/2 to clients and to the tasks)."
  type        = number
  default     = 8443
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listeners."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "alb_idle_timeout_seconds" {
  description = "ALB idle timeout: a connection with no bytes for this long is closed. Must stay at least twice the subscription heartbeat so that idle live tails (SSE and gRPC SubscribeEvents) survive."
  type        = number
  default     = 60
}

variable "subscription_heartbeat_seconds" {
  description = "Heartbeat of live tails while no event matches (evidentsource.subscriptions.heartbeat-interval); at most half the ALB idle timeout."
  type        = number
  default     = 15
}

variable "deregistration_delay_seconds" {
  description = "How long a stopping task keeps serving open connections after the ALB stops sending it new requests. Live tails still open then are cut; clients resume them (Last-Event-ID, from_revision)."
  type        = number
  default     = 30
}

variable "alb_access_logs_bucket" {
  description = "S3 bucket for ALB access logs (its policy must allow the region's ELB log delivery). Null: no access logs."
  type        = string
  default     = null
}

variable "web_acl_arn" {
  description = "AWS WAF web ACL to associate with the ALB. Null: none."
  type        = string
  default     = null
}

variable "task_cpu" {
  description = "Fargate task CPU units (1024 = 1 vCPU)."
  type        = number
  default     = 1024
}

variable "task_memory" {
  description = "Fargate task memory in MiB; the JVM heap takes 75 % of it (-XX:MaxRAMPercentage in the image)."
  type        = number
  default     = 2048
}

variable "cpu_architecture" {
  description = "CPU architecture of the tasks, matching the image: X86_64 or ARM64."
  type        = string
  default     = "X86_64"
}

variable "min_capacity" {
  description = "Fewest running tasks (also the initial count). Two or more keep the API up while a zone or a task fails."
  type        = number
  default     = 2
}

variable "max_capacity" {
  description = "Most running tasks the autoscaling may start."
  type        = number
  default     = 8
}

variable "cpu_target_percent" {
  description = "Target average CPU utilization of the service for autoscaling."
  type        = number
  default     = 60
}

variable "requests_per_target" {
  description = "Target ALB requests per task per minute (REST and gRPC target groups each) for autoscaling."
  type        = number
  default     = 6000
}

variable "sns_fifo" {
  description = "Make the commit topic a FIFO topic ({name}-commits.fifo): subscribers (FIFO SQS queues) get each database's transactions in order with deduplication."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the server's and the VPC flow logs' CloudWatch log groups."
  type        = number
  default     = 365
}

variable "deletion_protection" {
  description = "Protect the ALB and the DynamoDB tables from deletion (turn off only to tear a test deployment down)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
