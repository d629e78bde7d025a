variable "names" {
  description = "Table names: { credits, jobs, ledger, settlements } (each includes the workspace, e.g. Credits-dev)."
  type = object({
    credits     = string
    jobs        = string
    ledger      = string
    settlements = string
  })

  validation {
    condition     = alltrue([for n in values(var.names) : can(regex("^[A-Za-z0-9_.-]{3,255}$", n))])
    error_message = "Table names must be 3-255 characters of letters, digits, _ . and -."
  }
}

variable "deletion_protection" {
  description = "Enable DynamoDB deletion protection on all four tables (true in prod)."
  type        = bool
}

variable "tags" {
  description = "Tags for the tables."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys must be 1-128 characters and values at most 256 characters."
  }
}
