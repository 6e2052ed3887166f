# Golden image for sysext-lab on a real Apple-silicon Mac: the Cirrus Labs Sequoia base image
# (SIP disabled, passwordless sudo, osascript granted Accessibility) plus what the harness needs.
# Build: packer init . && packer build sxl-sequoia.pkr.hcl   (needs the tart Packer plugin)
# The sim builds its image from sxl-sequoia.json, which describes the result of this template.
packer {
  required_plugins {
    tart = {
      version = ">= 1.12.0"
      source  = "github.com/cirruslabs/tart"
    }
  }
}

variable "base_image" {
  type    = string
  default = "ghcr.io/cirruslabs/macos-sequoia-base:latest"
}

source "tart-cli" "sxl-sequoia" {
  vm_base_name = var.base_image
  vm_name      = "sxl-sequoia"
  cpu_count    = 4
  memory_gb    = 8
  disk_size_gb = 50
  headless     = true
  ssh_username = "admin"
  ssh_password = "admin"
  ssh_timeout  = "180s"
}

build {
  sources = ["source.tart-cli.sxl-sequoia"]

  provisioner "shell" {
    inline = [
      # The harness stages builds here before installing them.
      "mkdir -p /Users/admin/sxl-stage",
      # Record what the image is, for run manifests and for humans.
      "sw_vers > /Users/admin/sxl-image.txt",
      "csrutil status >> /Users/admin/sxl-image.txt",
      "systemextensionsctl list >> /Users/admin/sxl-image.txt",
    ]
  }
}
