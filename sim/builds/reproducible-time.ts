// The timestamp written into archives when the caller gives none, so that the same sources give
// the same bytes. SOURCE_DATE_EPOCH (seconds, the reproducible-builds convention) overrides it.
const fallback = Date.UTC(2024, 0, 1);

function fromEnvironment(value: string | undefined): number {
  const seconds = value === undefined || value.trim() === '' ? Number.NaN : Number(value);
  return Number.isSafeInteger(seconds) && seconds >= 0 ? seconds * 1000 : fallback;
}

export const defaultMtime = new Date(fromEnvironment(process.env.SOURCE_DATE_EPOCH));
