# tflint's bundled Terraform rules, all of them (documented and typed variables and outputs,
# naming, standard module structure, unused declarations, pinned providers, ...). The AWS
# ruleset plugin is not used: it would be downloaded at `tflint --init`, which CI cannot do.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
