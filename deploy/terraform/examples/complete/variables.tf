variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Deployment name (resource and table prefix)."
  type        = string
  default     = "evidentsource"
}

variable "image" {
  description = "The server image, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/evidentsource:0.1.0."
  type        = string
}

variable "ecr_repository_arn" {
  description = "ARN of the private ECR repository of the image; null for a public image."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "ACM certificate (in var.region) for the host name clients use."
  type        = string
}

variable "allowed_ingress_cidrs" {
  description = "Client networks allowed to reach the API."
  type        = list(string)
}
