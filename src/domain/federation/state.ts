export interface ProvincialLog {
  province: string;
  origin: string;
  /** The verifier key in force (type 0x01, named like the origin). */
  verifierKey: string;
  /** Every key the log has had, oldest first (the witness trusts only `verifierKey`). */
  keyHistory: string[];
  baseUrl: string;
  registeredAt: string;
  retiredAt?: string;
}

/** All logs ever registered, by origin. An origin is never reused, even after retirement. */
export interface ProvincialLogRegistry {
  logs: Record<string, ProvincialLog>;
}

/** The active log of a province, if any. */
export function activeLogOf(registry: ProvincialLogRegistry, province: string): ProvincialLog | undefined {
  return Object.values(registry.logs).find((l) => l.province === province && l.retiredAt === undefined);
}
