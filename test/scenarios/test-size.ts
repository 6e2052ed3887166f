// How large the statistical runs are. `make test` runs them small enough for the suite to stay a
// few minutes on two cores (one sim iteration costs about half a second of CPU); `make acceptance`
// (SXL_ACCEPTANCE=1, run by CI after the suite) runs them at the size issue 4 asks for.
export const acceptance = process.env.SXL_ACCEPTANCE === '1';

/** `full` under `make acceptance`, `quick` in the suite. */
export function sized(full: number, quick: number): number {
  return acceptance ? full : quick;
}
