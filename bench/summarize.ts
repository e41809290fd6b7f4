/** p50, p99 and mean of a sample, in its own unit; null when the sample is empty. */
export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  mean: number;
}

export function summarize(values: readonly number[]): Distribution | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

/** Nearest-rank percentile of an ascending sample. */
function percentile(sorted: Float64Array, rank: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}
