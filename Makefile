# sysext-lab: `make scenario` runs a scenario (default upgrade-xpc on the embedded simulated Mac),
# `make test` runs typecheck, lint and the tests, `make bench` the sim benchmarks. All install what they need first.
SCENARIO ?= upgrade-xpc
BACKEND ?= sim
ARGS ?=
FROM ?=
TO ?=

NODE_STAMP := node_modules/.package-lock.json
BUILDS_STAMP := sim/builds/out/.generated
BUILD_SOURCES := $(wildcard sim/builds/*.ts sim/builds/sample-app/*)

.PHONY: setup scenario test acceptance bench bench-peers bench-against tools sample-builds image clean mutants

setup: $(NODE_STAMP) $(BUILDS_STAMP)

# npm ci only when the lockfile or package.json changed since the last install.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NODE_STAMP)

sample-builds: $(BUILDS_STAMP)

$(BUILDS_STAMP): $(NODE_STAMP) $(BUILD_SOURCES)
	npx tsx sim/builds/make-sample-builds.ts sim/builds/out
	@touch $(BUILDS_STAMP)

# Debian tools the tests use: xmllint validates junit.xml against the JUnit schema; bsdtar, cpio
# and unzip cross-check that the sample packages and zips are what real tools read; headless
# chromium renders report.html for the screenshot test; clang compiles the guest tools
# (harness/guest-tools/*.c) against stub headers with the macOS SDK's signatures; ssh, sftp and scp
# (openssh-client) log in to a sim guest as a user would (test/sim/guest/openssh-clients.test.ts).
TOOLS := xmllint bsdtar cpio unzip chromium clang ssh sftp scp ssh-keygen
DEBIAN_TOOLS := libxml2-utils libarchive-tools cpio unzip chromium clang openssh-client
tools:
	@missing=""; for t in $(TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages for:$$missing"; \
	    apt-get update -qq && apt-get install -y -qq $(DEBIAN_TOOLS) >/dev/null; \
	  else echo "missing tools:$$missing (Debian: apt-get install $(DEBIAN_TOOLS))" >&2; exit 1; fi; \
	fi

scenario: setup
	node bin/sysext-lab.js run $(SCENARIO) --backend $(BACKEND) $(if $(FROM),--from "$(FROM)") $(if $(TO),--to "$(TO)") $(ARGS)

test: setup tools
	npm test

# The statistical and fault runs at full size (100 iterations per seed and per scenario and sleep
# strategy, the whole fault suite, compare at 60 iterations a run, 30 history nights): `make test`
# runs the same tests smaller. CI runs both.
ACCEPTANCE_TESTS := test/scenarios/quirks-off-*.test.ts test/scenarios/rate-coverage-*.test.ts \
  test/scenarios/upgrade-xpc-rate.test.ts test/scenarios/filter-sleep-wake-rate.test.ts \
  test/scenarios/boot-fail.test.ts test/faults/fault-suite.test.ts test/harness/cli/compare.test.ts \
  test/harness/report/history.test.ts
acceptance: setup tools
	SXL_ACCEPTANCE=1 npx ava $(ACCEPTANCE_TESTS)

# Benchmarks (timing and memory claims live here, never in tests): ms per iteration on the sim and
# where the time goes, the CPU of an empty iteration, an SSH exec and a step, how much earlier --until-confident stops than a fixed --repeat, and the
# resident memory of a 1 GB SFTP download and of parsing a 1 GB unified log (limit 200 MB each).
BENCH_ITERATIONS ?= 10
bench: setup
	npx tsx bench/iteration-time.ts upgrade-xpc $(BENCH_ITERATIONS)
	npx tsx bench/iteration-cost-model.ts $(BENCH_ITERATIONS)
	npx tsx bench/until-confident.ts
	npx tsx bench/parallel.ts 40 0.05
	npx tsx bench/orchard.ts 40 0.05
	npx tsx bench/bisect.ts
	npx tsx bench/download-memory.ts 1024
	npx tsx bench/log-stream-memory.ts 1024
	npx tsx bench/parse-memory.ts --cli 2048

# The harness against the tools a user would use instead (bench/compare-peers.ts): OpenSSH `ssh` per
# command, ControlMaster, `sftp`, `scp` and `jq`, one interleaved run, a table of medians. As root:
# it installs those Debian packages when missing and starts its own sshd on a loopback port.
PEER_TOOLS := ssh sftp scp jq /usr/sbin/sshd /usr/bin/time
PEER_PACKAGES := openssh-client openssh-server jq time
PEER_ARGS ?=
bench-peers: setup
	@missing=""; for t in $(PEER_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages for:$$missing"; \
	    apt-get update -qq && apt-get install -y -qq $(PEER_PACKAGES) >/dev/null; \
	  else echo "missing tools:$$missing (Debian: apt-get install $(PEER_PACKAGES))" >&2; exit 1; fi; \
	fi
	npx tsx bench/compare-peers.ts $(PEER_ARGS)

# One more sim iteration's CPU, this checkout against the commit REF, in interleaved rounds
# (bench/iteration-cpu-against.ts): the machine's drift cancels in the ratio, not in two figures
# measured hours apart. AGAINST_ARGS: [scenario] [iterations] [rounds], default upgrade-xpc 20 3.
REF ?=
AGAINST_ARGS ?=
bench-against: setup
	@[ -n "$(REF)" ] || { echo "bench-against: give the commit to measure against, e.g. make bench-against REF=HEAD~10" >&2; exit 64; }
	npx tsx bench/iteration-cpu-against.ts $(REF) $(AGAINST_ARGS)

# Known breakages (tools/mutants.ts), each applied to a copy of the tree with the tests that must
# catch it; lists the ones the tests miss. MUTANTS="id id" runs only those.
MUTANTS ?=
mutants: setup tools
	npx tsx tools/mutants.ts $(MUTANTS)

# The golden image (vm-images/sxl-$(IMAGE).pkr.hcl) on an Apple-silicon Mac with packer and tart:
# the Cirrus base pulled again, the TCC grants checked (the build fails without them), the guest
# tools prebuilt, idle sleep off, and SUBSYSTEM's log lines persisted at debug level.
IMAGE ?= sequoia
SUBSYSTEM ?=
image:
	cd vm-images && packer init sxl-$(IMAGE).pkr.hcl && packer build -var "provider_subsystem=$(SUBSYSTEM)" sxl-$(IMAGE).pkr.hcl

clean:
	rm -rf sim/builds/out .sim
