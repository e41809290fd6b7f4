/** Outcomes per scenario, counted as the calls finish. */
export interface SoakStats {
  record(call: { scenario: string; outcome: string; durationMs: number }): void;
  readonly requests: number;
  /** scenario → outcome → count. */
  readonly byScenario: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** scenario → slowest call, in ms. */
  readonly slowest: ReadonlyMap<string, number>;
}

export function createSoakStats(): SoakStats {
  const byScenario = new Map<string, Map<string, number>>();
  const slowest = new Map<string, number>();
  let requests = 0;
  return {
    record({ scenario, outcome, durationMs }) {
      requests += 1;
      const outcomes = byScenario.get(scenario) ?? new Map<string, number>();
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      byScenario.set(scenario, outcomes);
      slowest.set(scenario, Math.max(slowest.get(scenario) ?? 0, durationMs));
    },
    get requests() {
      return requests;
    },
    byScenario,
    slowest,
  };
}
