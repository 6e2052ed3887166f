// Evidence files as JUnit attachments, in the two forms CI viewers read: `[[ATTACHMENT|path]]`
// lines in a testcase's system-out (Jenkins JUnit Attachments plugin, GitLab) and
// `<property name="attachment" value="path"/>`. junit-10.xsd (Jenkins xUnit) allows <properties>
// only on <testsuite>, not inside <testcase>, so the properties go on the suite; every path lies
// under `iterations/<n>/`, which ties it to its testcase. Paths are relative to junit.xml.
import { isAbsolute, relative, resolve, sep } from 'node:path';

export interface JUnitProperty {
  name: string;
  value: string;
}

/** A file path as the attachment plugins want it: relative to junit.xml's folder, with `/`. */
export function attachmentPath(file: string, junitDir: string, runDir = junitDir): string {
  const absolute = isAbsolute(file) ? file : resolve(runDir, file);
  return relative(junitDir, absolute).split(sep).join('/');
}

/**
 * The system-out block for a testcase, one `[[ATTACHMENT|path]]` per line; append it to the
 * testcase's system-out. `files` are absolute or relative to `runDir`.
 */
export function attachmentLines(files: readonly string[], junitDir: string, runDir = junitDir): string {
  return files.map((file) => `[[ATTACHMENT|${attachmentPath(file, junitDir, runDir)}]]`).join('\n');
}

/** The suite-level properties for a testcase's files, named `attachment` as the plugins expect. */
export function attachmentProperties(
  files: readonly string[],
  junitDir: string,
  runDir = junitDir,
): JUnitProperty[] {
  return files.map((file) => ({ name: 'attachment', value: attachmentPath(file, junitDir, runDir) }));
}
