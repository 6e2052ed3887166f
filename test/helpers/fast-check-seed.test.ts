// The seed every property runs from is the one SXL_FC_SEED names, and a failure says how to replay it.
import test from 'ava';
import fc from 'fast-check';

test('fast-check runs from the seed SXL_FC_SEED names, and a failure prints it', (t) => {
  const { seed } = fc.readConfigureGlobal();
  t.true(Number.isInteger(seed));
  if (process.env.SXL_FC_SEED) t.is(seed, Number(process.env.SXL_FC_SEED));
  const error = t.throws(() => fc.assert(fc.property(fc.nat(), (n) => n < 0)));
  t.regex(error?.message ?? '', new RegExp(`seed: ${seed}\\b`));
  t.regex(error?.message ?? '', new RegExp(`replay all properties with SXL_FC_SEED=${seed}\\)$`));
});
