// .gitlab-ci.yml: one job, a matrix over images, on a GitLab runner (shell executor) on an
// Apple-silicon Mac with tart; junit.xml as the job's JUnit report, the run directories kept.
import type { InitTemplateValues } from './template-values.ts';

export function gitlabCiSource(values: InitTemplateValues): string {
  const images = values.images.map((image) => `          - ${image}`).join('\n');
  return `# Nightly sysext-lab runs (written by \`sysext-lab init\`). Register a GitLab runner with the shell
# executor on an Apple-silicon Mac with tart and Node.js 20, give it the tags below, and schedule the
# pipeline (Build > Pipeline schedules). The builds come from sysext-lab.config.json.
sysext-lab:
  stage: test
  tags: [macos, arm64, tart]
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
    - if: $CI_PIPELINE_SOURCE == "web"
  timeout: 8h
  parallel:
    matrix:
      - IMAGE:
${images}
  variables:
    REPEAT: "${values.repeat}"
    ARTIFACTS: artifacts/$CI_JOB_ID
  script:
    - npm ci
    - npx sysext-lab doctor --backend tart --image "$IMAGE"
    - npx sysext-lab run ${values.scenarioPath} --backend tart --image "$IMAGE" --repeat "$REPEAT" --artifacts "$ARTIFACTS"
  after_script:
    # The Feedback Assistant zip of the first failing iteration.
    - |
      if [ "$CI_JOB_STATUS" = failed ]; then
        run_dir=$(ls -d "$ARTIFACTS"/*/ | tail -n 1)
        [ -n "$run_dir" ] && npx sysext-lab feedback "$run_dir" --out "$ARTIFACTS/feedback.zip"
      fi
  artifacts:
    when: always
    expire_in: 30 days
    paths:
      - artifacts/
    reports:
      junit: artifacts/*/*/junit.xml
`;
}
