// What the files `sysext-lab init` writes share: the example scenario, the image matrix, the size of a
// nightly run. One object, so the CI files and the script run the same command.

export interface InitTemplateValues {
  /** The example scenario's id; its file is scenarios/<id>.ts. */
  scenarioId: string;
  /** The path `sysext-lab run` is given, relative to the project: ./scenarios/<id>.ts */
  scenarioPath: string;
  /** The CI matrix; the first is the config's default image. */
  images: readonly string[];
  /** Iterations per image in a nightly CI run. */
  repeat: number;
}

export const initTemplateDefaults: InitTemplateValues = {
  scenarioId: 'example-upgrade-xpc',
  scenarioPath: './scenarios/example-upgrade-xpc.ts',
  // Cirrus Labs' -base images: SSH, passwordless sudo, SIP off; :latest is rebuilt monthly.
  images: ['ghcr.io/cirruslabs/macos-sequoia-base:latest', 'ghcr.io/cirruslabs/macos-tahoe-base:latest'],
  repeat: 20,
};
