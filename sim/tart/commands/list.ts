// tart list [--source local|oci] [--format text|json] [-q]: local VMs, then cached OCI images.
import { statSync } from 'node:fs';
import { flag, optionValue, type ParsedArgs } from '../args.ts';
import type { TartCommand } from '../command.ts';
import { TartValidationError } from '../errors.ts';
import { iso8601, type JsonRecord, relativeTime, renderTable, swiftJsonArray } from '../format.ts';
import { GB } from '../image-builder.ts';
import type { TartIo } from '../io.ts';
import { listOciEntries } from '../oci-cache.ts';
import { accessedAt, allocatedSizeBytes, apparentSizeBytes, localVmNames, vmDir } from '../storage.ts';
import { vmState } from '../vm-state.ts';
import { FORMATS } from './get.ts';

interface ListRow {
  source: 'local' | 'OCI';
  name: string;
  dir: string;
}

function accessedOf(row: ListRow): Date {
  // A cached image is "accessed" when it was last pulled or cloned from; its folder's atime tells.
  return row.source === 'local' ? accessedAt(row.dir) : statSync(row.dir).atime;
}

export const list: TartCommand = {
  spec: {
    name: 'list',
    abstract: 'List created VMs',
    positionals: [],
    options: [
      {
        long: 'source',
        value: 'source',
        help: 'Only display VMs from the specified source (e.g. --source local, --source oci).',
      },
      { long: 'format', value: 'format', help: 'Output format: text or json', choices: FORMATS },
      { long: 'quiet', short: 'q', help: 'Only display VM names' },
    ],
  },
  async run(args: ParsedArgs, io: TartIo): Promise<number> {
    const source = optionValue(args, 'source');
    if (source !== undefined && source !== 'local' && source !== 'oci') {
      throw new TartValidationError(`'${source}' is not a valid <source>`);
    }
    const rows: ListRow[] = [];
    if (source !== 'oci') {
      for (const name of localVmNames()) rows.push({ source: 'local', name, dir: vmDir(name) });
    }
    if (source !== 'local') {
      for (const entry of listOciEntries()) rows.push({ source: 'OCI', name: entry.name, dir: entry.dir });
    }
    if (flag(args, 'quiet')) {
      for (const row of rows) io.out(row.name);
      return 0;
    }
    const infos = rows.map((row) => {
      const state = row.source === 'local' ? vmState(row.dir) : 'stopped';
      return {
        Source: row.source,
        Name: row.name,
        Disk: Math.floor(apparentSizeBytes(row.dir) / GB),
        Size: Math.floor(allocatedSizeBytes(row.dir) / GB),
        accessed: accessedOf(row),
        Running: state === 'running',
        State: state,
      };
    });
    if (optionValue(args, 'format') === 'json') {
      io.out(
        swiftJsonArray(
          infos.map(({ accessed, ...info }): JsonRecord => ({ ...info, Accessed: iso8601(accessed) })),
        ),
      );
      return 0;
    }
    // tart prints an empty string (one blank line) when there is nothing to list.
    if (infos.length === 0) {
      io.out('');
      return 0;
    }
    const now = new Date();
    io.out(
      renderTable(
        ['Source', 'Name', 'Disk', 'Size', 'Accessed', 'State'],
        infos.map((i) => [
          i.Source,
          i.Name,
          String(i.Disk),
          String(i.Size),
          relativeTime(i.accessed, now),
          i.State,
        ]),
      ),
    );
    return 0;
  },
};
