// ln(n!) for whole n, summed once and cached: the exact tests and the sequential comparison work on
// counts (hypergeometric and beta-binomial terms), where sums of logs stay exact enough and never
// overflow the way n! itself does past 170.
const table: number[] = [0];

export function logFactorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`logFactorial needs a whole number >= 0, got ${n}`);
  for (let i = table.length; i <= n; i += 1) table.push(table[i - 1]! + Math.log(i));
  return table[n]!;
}

/** ln C(n, k). */
export function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}
