/**
 * Retention policies from configuration: `RETENTION_POLICIES_FILE` names a JSON file holding an array of
 * policies (src/domain/retention/policies.ts); absent, the labelled defaults apply. Validated at the edge:
 * a malformed file stops the command before anything is destroyed.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ValidationError } from '../../domain/shared/errors.ts';
import { isCalendarDate } from '../../domain/shared/time.ts';
import { DEFAULT_RETENTION_POLICIES, PolicyIdSchema, RETENTION_CATEGORIES, type RetentionPolicy } from '../../domain/retention/index.ts';

const PolicySchema = z.strictObject({
  id: PolicyIdSchema,
  category: z.enum(RETENTION_CATEGORIES),
  effectiveFrom: z.string().refine(isCalendarDate, 'must be YYYY-MM-DD'),
  retainDays: z.number().int().min(1).max(100 * 366),
  legalBasis: z.strictObject({
    instrument: z.string().min(1).max(2000),
    article: z.string().min(1).max(2000).optional(),
    verified: z.boolean(),
    note: z.string().min(1).max(2000).optional(),
  }),
});

export function parseRetentionPolicies(json: unknown): RetentionPolicy[] {
  const parsed = z.array(PolicySchema).min(1).safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError('Invalid retention policies', { issues }, 'invalid-retention-policies');
  }
  const ids = new Set<string>();
  for (const p of parsed.data) {
    if (ids.has(p.id)) throw new ValidationError('Duplicate retention policy id', { id: p.id }, 'invalid-retention-policies');
    ids.add(p.id);
  }
  return parsed.data as RetentionPolicy[];
}

export function loadRetentionPolicies(env: NodeJS.ProcessEnv = process.env): readonly RetentionPolicy[] {
  const file = env.RETENTION_POLICIES_FILE;
  if (!file) return DEFAULT_RETENTION_POLICIES;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ValidationError('RETENTION_POLICIES_FILE cannot be read as JSON', { file }, 'invalid-retention-policies');
  }
  return parseRetentionPolicies(json);
}
