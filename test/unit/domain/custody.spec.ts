/**
 * One custody schema (src/domain/custody.ts): what the command accepts is exactly what a reader of the stored
 * `EvidenceAccessed` record accepts, plus the time of access.
 */
import { expect } from 'chai';
import { EvidenceAccessSchema } from '../../../src/commands/custody.ts';
import { EvidenceAccessedSchema } from '../../../src/projections/events.ts';

describe('custody event schema (src/domain/custody.ts)', () => {
  const access = { caseId: '5b0e3c52-8d0e-4f5a-9a52-1c9f6f0b7d21', access: 'view', purpose: 'Review' } as const;
  const stored = (purpose: string) => ({ ...access, purpose, accessedAt: '2026-11-24T09:00:00.123Z' });

  it('given a purpose the command accepts, when the stored record is read, then it is accepted too', () => {
    expect(EvidenceAccessSchema.safeParse(access).success).to.equal(true);
    expect(EvidenceAccessedSchema.safeParse(stored('Review')).success).to.equal(true);
  });

  for (const [what, purpose] of [
    ['shorter than 3 characters', 'ab'],
    ['with control characters', 'ok\u0000\u001b[2J'],
  ] as const) {
    it(`given a purpose ${what}, when validated as command or as stored record, then both refuse it`, () => {
      expect(EvidenceAccessSchema.safeParse({ ...access, purpose }).success).to.equal(false);
      expect(EvidenceAccessedSchema.safeParse(stored(purpose)).success).to.equal(false);
    });
  }
});
