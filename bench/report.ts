/**
 * Shared by every bench: the `--json` and `--quick` flags (bench/run.ts passes them on in BENCH_JSON /
 * BENCH_QUICK, so child processes see them too) and `figure()`, which prints one JSON line per figure with
 * the 1-minute load average beside it:
 * `{"bench":"ingest","figure":"throughput","value":…,"unit":"detections/s","baseline":…,"ratio":…,"load":…}`.
 */
import { loadavg } from 'node:os';

/** `--quick`: a CI smoke run; each bench scales its counts and durations down (figures are then indicative only). */
export const quick = process.env.BENCH_QUICK === '1';
export const json = process.env.BENCH_JSON === '1';

/** `full` normally, `small` under `--quick`; an explicit environment variable wins over both. */
export function scaled(envValue: string | undefined, full: number, small: number): number {
  if (envValue !== undefined && envValue !== '') return Number(envValue);
  return quick ? small : full;
}

export interface Figure {
  bench: string;
  figure: string;
  value: number;
  unit: string;
  /** The same-run baseline's value, when the figure has one. */
  baseline?: number;
  /** value / baseline, when there is a baseline. */
  ratio?: number;
  /** Target stated by the bench, for reading the line alone (e.g. ">= 500"). */
  target?: string;
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n;
}

/** The 1-minute load average now, rounded (printed beside each figure, JSON or not). */
export function load(): number {
  return round(loadavg()[0]!);
}

/** Prints one JSON line for the figure under `--json` (the human table stays as it is). */
export function figure(f: Figure): void {
  if (!json) return;
  const ratio = f.ratio ?? (f.baseline !== undefined && f.baseline !== 0 ? f.value / f.baseline : undefined);
  const line = {
    bench: f.bench,
    figure: f.figure,
    value: round(f.value),
    unit: f.unit,
    baseline: f.baseline === undefined ? null : round(f.baseline),
    ratio: ratio === undefined ? null : round(ratio),
    load: load(),
    ...(f.target !== undefined ? { target: f.target } : {}),
  };
  console.log(JSON.stringify(line));
}
