// .github/workflows/sysext-lab.yml: a nightly matrix over images on a self-hosted Apple-silicon
// runner with tart; JUnit into the job summary, the run directories uploaded, and on failure the
// Feedback Assistant zip. Checked by actionlint in the tests.
import type { InitTemplateValues } from './template-values.ts';

export function githubWorkflowSource(values: InitTemplateValues): string {
  const images = values.images.map((image) => `          - ${image}`).join('\n');
  return `# Nightly sysext-lab runs on a self-hosted Apple-silicon Mac with tart (written by \`sysext-lab init\`).
# The runner needs tart, Node.js 20 and a logged-in console user: run \`npx sysext-lab doctor --backend tart\`
# on it once, from the runner's own account. The builds come from sysext-lab.config.json
# ("builds": {"from": ..., "to": ...}): build or download them in a step before the run.
name: sysext-lab

on:
  schedule:
    - cron: '30 2 * * *'
  workflow_dispatch:
    inputs:
      repeat:
        description: Iterations per image
        required: false
        default: '${values.repeat}'

permissions:
  contents: read
  checks: write

jobs:
  scenario:
    name: sysext-lab (\${{ matrix.image }})
    runs-on: [self-hosted, macOS, ARM64]
    timeout-minutes: 480
    strategy:
      fail-fast: false
      # tart runs at most two macOS VMs on a Mac: one image at a time.
      max-parallel: 1
      matrix:
        image:
${images}
    env:
      IMAGE: \${{ matrix.image }}
      REPEAT: \${{ inputs.repeat || '${values.repeat}' }}
      ARTIFACTS: artifacts/\${{ strategy.job-index }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: npm ci
      - name: Check the host and one VM of the image
        run: npx sysext-lab doctor --backend tart --image "$IMAGE"
      - name: Run the scenario
        run: npx sysext-lab run ${values.scenarioPath} --backend tart --image "$IMAGE" --repeat "$REPEAT" --artifacts "$ARTIFACTS"
      - name: JUnit into the job summary
        if: \${{ !cancelled() }}
        uses: mikepenz/action-junit-report@v5
        with:
          report_paths: \${{ env.ARTIFACTS }}/*/junit.xml
          check_name: sysext-lab (\${{ matrix.image }})
          detailed_summary: true
          include_passed: true
      - name: Feedback Assistant zip of the first failing iteration
        if: failure()
        run: |
          run_dir=$(ls -d "$ARTIFACTS"/*/ | tail -n 1)
          npx sysext-lab feedback "$run_dir" --out "$ARTIFACTS/feedback.zip"
      - name: Upload the run directory
        if: \${{ !cancelled() }}
        uses: actions/upload-artifact@v4
        with:
          name: sysext-lab-\${{ strategy.job-index }}
          path: \${{ env.ARTIFACTS }}
          if-no-files-found: warn
          retention-days: 30
`;
}
