# A complete deployment: a new VPC, the API keys secret, and the EvidentSource module.
#
#   terraform init && terraform apply -var image=... -var certificate_arn=... \
#     -var 'allowed_ingress_cidrs=["203.0.113.0/24"]'
#
# Then put the API keys file into the secret (docs/deploy.md, "From zero to a running cluster").

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      "app" = "evidentsource"
    }
  }
}

# The API keys file (one "name sha256 scope,scope,..." line per key). Terraform creates the
# secret only; its value is put with the AWS CLI, so no key hash ever enters the Terraform state.
resource "aws_secretsmanager_secret" "api_keys" {
  #checkov:skip=CKV_AWS_149:AWS managed key (aws/secretsmanager), usable by the execution role without a key policy of ours
  #checkov:skip=CKV2_AWS_57:API keys are rotated by operators (add the new key, redeploy, remove the old one; docs/deploy.md), not by a rotation Lambda
  name                    = "${var.name}/api-keys"
  description             = "EvidentSource API keys file (evidentsource.security.api-keys-file)"
  recovery_window_in_days = 7
}

module "evidentsource" {
  source = "../../modules/evidentsource"

  name                  = var.name
  image                 = var.image
  ecr_repository_arn    = var.ecr_repository_arn
  certificate_arn       = var.certificate_arn
  api_keys_secret_arn   = aws_secretsmanager_secret.api_keys.arn
  allowed_ingress_cidrs = var.allowed_ingress_cidrs

  create_vpc         = true
  availability_zones = ["${var.region}a", "${var.region}b"]
  tags = {
    "environment" = "example"
  }
}
