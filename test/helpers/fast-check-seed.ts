// Loaded by ava in every worker (package.json "ava.require"): every fc.assert runs from one seed,
// SXL_FC_SEED when set (to replay a failure), else a fresh one. fast-check's failure message names
// the seed and the path of the counterexample; the seed is also in the message below.
import fc from 'fast-check';

const given = process.env.SXL_FC_SEED;
const seed = given === undefined || given === '' ? Math.floor(Math.random() * 2 ** 31) : Number(given);
if (!Number.isInteger(seed)) throw new Error(`SXL_FC_SEED must be an integer, got "${given}"`);

fc.configureGlobal({
  seed,
  // Prints on failure only: "(replay all properties with SXL_FC_SEED=<seed>)".
  reporter: (details) => {
    if (details.failed) {
      throw new Error(
        `${fc.defaultReportMessage(details)}\n(replay all properties with SXL_FC_SEED=${seed})`,
      );
    }
  },
});
