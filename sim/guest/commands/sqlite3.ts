// sqlite3 DB QUERY for the one database the harness reads: the system TCC.db, to check the grants
// the Cirrus -base images give osascript and sshd-keygen-wrapper (macos-image-templates
// scripts/update-tcc-database.sh; real-mac-review.md item 11). Not a SQL engine: the query must
// select service, client and auth_value from access, optionally filtered by `client like '%X%'`
// terms joined by `or`. Output is sqlite3's default list mode (`a|b|c`).
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

const SYSTEM_TCC_DB = '/Library/Application Support/com.apple.TCC/TCC.db';

const GRANTED_CLIENTS = ['/usr/libexec/sshd-keygen-wrapper', '/usr/bin/osascript'];
const GRANTED_SERVICES = [
  'kTCCServiceAccessibility',
  'kTCCServicePostEvent',
  'kTCCServiceScreenCapture',
  'kTCCServiceAppleEvents',
];

async function sqlite3(ctx: CommandContext) {
  const args = ctx.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const [database, query] = args;
  if (database === undefined || query === undefined) {
    // [RECONSTRUCTED] the sim has no interactive sqlite3 shell.
    return fail('sqlite3: the sim answers only `sqlite3 DB "select ..."`\n');
  }
  if (database !== SYSTEM_TCC_DB)
    return fail(`Error: unable to open database "${database}": unable to open database file\n`, 1);
  // [RECONSTRUCTED] the system TCC.db is readable by root only (and processes with Full Disk Access).
  if (ctx.user.uid !== 0)
    return fail(`Error: unable to open database "${database}": authorization denied\n`, 1);
  const match =
    /^\s*select\s+service\s*,\s*client\s*,\s*auth_value\s+from\s+access(?:\s+where\s+(.+?))?\s*;?\s*$/i.exec(
      query,
    );
  if (!match)
    return fail(
      `Error: in prepare, the sim's sqlite3 reads only "select service,client,auth_value from access"\n`,
      1,
    );
  const likes = [...(match[1] ?? '').matchAll(/client\s+like\s+["']%?([^"'%]*)%?["']/gi)].map(
    (m) => m[1] ?? '',
  );
  const rows: string[] = [];
  if (ctx.machine.state.tccGrants !== false) {
    for (const client of GRANTED_CLIENTS) {
      if (likes.length > 0 && !likes.some((part) => client.includes(part))) continue;
      for (const service of GRANTED_SERVICES) rows.push(`${service}|${client}|2`);
    }
  }
  return ok(rows.map((row) => `${row}\n`).join(''));
}

export const sqlite3Commands: CommandTable = { sqlite3 };
