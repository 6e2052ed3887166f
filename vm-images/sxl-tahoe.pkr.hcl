# Golden image for sysext-lab on a real Apple-silicon Mac: the Cirrus Labs Tahoe base image (SIP and
# Gatekeeper off, passwordless sudo, auto-login, osascript and sshd-keygen-wrapper granted
# Accessibility, AppleEvents, PostEvent and ScreenCapture) plus what every run needs baked in: the
# guest tools prebuilt, sleep settings, the provider's log persistence; the build fails when the
# TCC grants are missing (a -base built before 2026-03 lacks them).
# Build: make image IMAGE=tahoe SUBSYSTEM=com.example.vpn.provider   (needs packer and the tart plugin)
# The sim builds its image from sxl-tahoe.json, which describes the base this template starts from.
packer {
  required_plugins {
    tart = {
      version = ">= 1.12.0"
      source  = "github.com/cirruslabs/tart"
    }
  }
}

variable "base_image" {
  type = string
  # Cirrus publishes -base only as :latest, rebuilt monthly. For a reproducible image pin a build
  # by digest: `tart pull <ref> && tart fqn <ref>` prints ghcr.io/cirruslabs/macos-tahoe-base@sha256:...
  default = "ghcr.io/cirruslabs/macos-tahoe-base:latest"
}

variable "provider_subsystem" {
  type        = string
  description = "Unified-log subsystem of your extension's provider, persisted at debug level (empty: none)"
  default     = ""
}

source "tart-cli" "sxl-tahoe" {
  vm_base_name = var.base_image
  vm_name      = "sxl-tahoe"
  # A cached :latest is never refreshed by a clone: pull, so the build starts from the current base.
  always_pull  = true
  cpu_count    = 4
  memory_gb    = 8
  disk_size_gb = 50
  headless     = true
  ssh_username = "admin"
  ssh_password = "admin"
  ssh_timeout  = "180s"
}

build {
  sources = ["source.tart-cli.sxl-tahoe"]

  provisioner "file" {
    source      = "${path.root}/../harness/guest-tools/sxl-bootstrap-lookup.c"
    destination = "/tmp/sxl-bootstrap-lookup.c"
  }

  provisioner "shell" {
    inline = [
      "set -eu",
      # The UI approval scripts System Settings through osascript over SSH: without these rows it cannot.
      "rows=$(sudo sqlite3 '/Library/Application Support/com.apple.TCC/TCC.db' \"select service||'|'||client from access where auth_value=2\")",
      "for s in kTCCServiceAccessibility kTCCServiceAppleEvents kTCCServiceScreenCapture; do for c in /usr/bin/osascript /usr/libexec/sshd-keygen-wrapper; do printf '%s\\n' \"$rows\" | grep -qx \"$s|$c\" || { echo \"missing TCC grant $s for $c: pull ${var.base_image} again\" >&2; exit 1; }; done; done",
      # Where the harness stages builds, and its guest tools prebuilt (runs skip the cc step).
      "mkdir -p /Users/admin/sxl-stage /Users/admin/sxl-tools",
      "cc -O2 -Wall -o /Users/admin/sxl-tools/sxl-bootstrap-lookup /tmp/sxl-bootstrap-lookup.c",
      # No idle sleep during a run: only the harness's own pmset sleepnow puts the guest to sleep.
      "sudo pmset -a sleep 0 displaysleep 0 disksleep 0 powernap 0",
      # Info/Debug lines of the provider reach log show only when persisted (a run sets it again).
      "if [ -n '${var.provider_subsystem}' ]; then sudo log config --subsystem '${var.provider_subsystem}' --mode 'level:debug,persist:debug'; fi",
      # Record what the image is, for run manifests and for humans.
      "sw_vers > /Users/admin/sxl-image.txt",
      "csrutil status >> /Users/admin/sxl-image.txt",
      "spctl --status >> /Users/admin/sxl-image.txt 2>&1 || true",
      "systemextensionsctl list >> /Users/admin/sxl-image.txt",
    ]
  }
}
