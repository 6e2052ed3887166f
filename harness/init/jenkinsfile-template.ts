// Jenkinsfile: a declarative pipeline, nightly, a matrix over images on agents labelled for an
// Apple-silicon Mac with tart; the junit step with the JUnit Attachments plug-in (sysext-lab's junit.xml
// names evidence files as [[ATTACHMENT|path]]), archiveArtifacts, the Feedback Assistant zip on failure.
import type { InitTemplateValues } from './template-values.ts';

export function jenkinsfileSource(values: InitTemplateValues): string {
  const images = values.images.map((image) => `'${image}'`).join(', ');
  return `// Nightly sysext-lab runs (written by \`sysext-lab init\`). Agents labelled 'macos && arm64 && tart' are
// Apple-silicon Macs with tart and Node.js 20; the JUnit and JUnit Attachments plug-ins show the results.
// The builds come from sysext-lab.config.json.
pipeline {
  agent none
  triggers {
    cron('H 2 * * *')
  }
  options {
    timeout(time: 8, unit: 'HOURS')
  }
  parameters {
    string(name: 'REPEAT', defaultValue: '${values.repeat}', description: 'Iterations per image')
  }
  stages {
    stage('sysext-lab') {
      matrix {
        agent {
          label 'macos && arm64 && tart'
        }
        axes {
          axis {
            name 'IMAGE'
            values ${images}
          }
        }
        stages {
          stage('run') {
            environment {
              // One folder per build and image: a workspace is reused by the next cell and the next night.
              ARTIFACTS = "artifacts/\${env.BUILD_NUMBER}-\${env.IMAGE.replaceAll('[^A-Za-z0-9.-]', '_')}"
            }
            steps {
              sh 'npm ci'
              sh 'npx sysext-lab doctor --backend tart --image "$IMAGE"'
              // On a failed run, the Feedback Assistant zip of the first failing iteration, then the run's exit code.
              sh '''
                status=0
                npx sysext-lab run ${values.scenarioPath} --backend tart --image "$IMAGE" --repeat "$REPEAT" --artifacts "$ARTIFACTS" || status=$?
                if [ "$status" -ne 0 ]; then
                  run_dir=$(ls -d "$ARTIFACTS"/*/ | tail -n 1)
                  if [ -n "$run_dir" ]; then npx sysext-lab feedback "$run_dir" --out "$ARTIFACTS/feedback.zip" || true; fi
                fi
                exit "$status"
              '''
            }
            post {
              always {
                junit testResults: "\${env.ARTIFACTS}/*/junit.xml", allowEmptyResults: true, testDataPublishers: [attachments()]
                archiveArtifacts artifacts: "\${env.ARTIFACTS}/**", allowEmptyArchive: true
              }
            }
          }
        }
      }
    }
  }
}
`;
}
