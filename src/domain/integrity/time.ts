/** RFC 3339 timestamps in UTC, as checkpoints and records carry them ("2026-11-24T09:00:00.123Z"). */
const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

/** True for an RFC 3339 timestamp ending in `Z` that names a real instant (no 30 February, no hour 24). */
export function isRfc3339Utc(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = RFC3339_UTC.exec(value);
  if (!m) return false;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return false;
  // Date.parse rolls 2026-02-30 over to March and 24:00 over to the next day: refuse what does not exist.
  const d = new Date(ms);
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() + 1 === Number(m[2]) &&
    d.getUTCDate() === Number(m[3]) &&
    d.getUTCHours() === Number(m[4]) &&
    d.getUTCMinutes() === Number(m[5])
  );
}
