import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../fixtures/macos/', import.meta.url);

/** A sample output from test/fixtures/macos (see SOURCES.md there). */
export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** What a web page does to TABs: expands them to spaces at the given tab width. */
export function expandTabs(text: string, width = 8): string {
  return text
    .split('\n')
    .map((line) => {
      let out = '';
      for (const char of line) out += char === '\t' ? ' '.repeat(width - (out.length % width)) : char;
      return out;
    })
    .join('\n');
}

/** CRLF line endings and trailing spaces, as pasted from a Windows browser. */
export function windowsPaste(text: string): string {
  return text.replace(/\n/g, '  \r\n');
}

/**
 * Every file of test/fixtures/macos by the kind that reads it; the two launchctl print system rows
 * are excerpts of a services block and get that block around them (see fixtureInput).
 */
export const FIXTURE_KINDS: Readonly<Record<string, string>> = {
  'codesign-dv.txt': 'codesign-display',
  'installer-install.txt': 'installer',
  'installer-upgrade.txt': 'installer',
  'launchctl-error-bad-request.txt': 'launchctl-error',
  'launchctl-error-not-found.txt': 'launchctl-error',
  'launchctl-list.txt': 'launchctl-list',
  'launchctl-print-akd.txt': 'launchctl-print',
  'launchctl-print-icloudhelper-excerpt.txt': 'launchctl-print',
  'launchctl-print-login-item.txt': 'launchctl-print',
  'launchctl-print-mojave-wazuh.txt': 'launchctl-print',
  'launchctl-print-ne-sysext.txt': 'launchctl-print',
  'launchctl-print-yosemite-boxen.txt': 'launchctl-print',
  'launchctl-print-system-domain.txt': 'launchctl-print-domain',
  'launchctl-print-system-macos26-rows.txt': 'launchctl-print-domain',
  'launchctl-print-system-ne-row.txt': 'launchctl-print-domain',
  'log-ndjson-symptomsd.txt': 'unified-log',
  'log-ndjson-unordered.txt': 'unified-log',
  'log-show-compact.txt': 'unified-log',
  'log-show-default-footer.txt': 'unified-log',
  'log-show-json-object.txt': 'unified-log',
  'log-show-ne-provider-excerpt.txt': 'unified-log',
  'log-stream-default.txt': 'unified-log',
  'log-stream-lulu-extension.txt': 'unified-log',
  'log-stream-source.txt': 'unified-log',
  'pkgutil-pkg-info.txt': 'pkgutil-pkg-info',
  'pmset-assertions-legacy.txt': 'pmset-assertions',
  'pmset-assertions-locale-time.txt': 'pmset-assertions',
  'pmset-assertions.txt': 'pmset-assertions',
  'pmset-log-grep-sleep-wake.txt': 'pmset-log',
  'pmset-log-header.txt': 'pmset-log',
  'pmset-log-wake-sleep.txt': 'pmset-log',
  'scutil-nc-list-l2tp.txt': 'scutil-nc-list',
  'scutil-nc-list-ne.txt': 'scutil-nc-list',
  'scutil-nc-list-redacted.txt': 'scutil-nc-list',
  'spctl-accepted.txt': 'spctl-assess',
  'sw-vers-10.13.txt': 'sw-vers',
  'sw-vers-14.txt': 'sw-vers',
  'sw-vers-rsr-spaces.txt': 'sw-vers',
  'sw-vers-rsr.txt': 'sw-vers',
  'systemextensions-list-cisco-amp.txt': 'systemextensions-list',
  'systemextensions-list-cmio-no-count.txt': 'systemextensions-list',
  'systemextensions-list-cmio-obs.txt': 'systemextensions-list',
  'systemextensions-list-empty.txt': 'systemextensions-list',
  'systemextensions-list-es-macos15.txt': 'systemextensions-list',
  'systemextensions-list-macos15.txt': 'systemextensions-list',
  'systemextensions-list-no-count.txt': 'systemextensions-list',
  'systemextensions-list-older.txt': 'systemextensions-list',
  'systemextensions-list-santa.txt': 'systemextensions-list',
};

const DOMAIN_ROWS = new Set(['launchctl-print-system-macos26-rows.txt', 'launchctl-print-system-ne-row.txt']);

/** The fixture as its kind reads it: the services rows inside the domain block they come from. */
export function fixtureInput(name: string): string {
  const text = fixture(name);
  return DOMAIN_ROWS.has(name) ? `system = {\n\tservices = {\n${text}\t}\n}\n` : text;
}

/** What a copy from some terminals and editors does: every run of `run` or more spaces becomes a TAB. */
export function spacesToTabs(text: string, run = 2): string {
  return text.replace(new RegExp(` {${run},}`, 'g'), '\t');
}
