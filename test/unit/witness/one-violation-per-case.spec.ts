/**
 * Given the citizen lookup's rows of every mirrored log, when the national node shows them, then each case is
 * shown once: where it goes on (not transferred), or else the last transfer, which names where it went.
 */
import { expect } from 'chai';
import { oneViolationPerCase } from '../../../src/adapters/witness/national-views.ts';

const row = (caseId: string, province: string, status: string, transferredTo: string | null = null) => ({ caseId, province, status, transferredTo });

describe('national citizen lookup: one violation per case', () => {
  it('given a case handed over 01 -> 79 and received, then only the receiving row is shown', () => {
    const rows = [row('a', '01', 'transferred', '79'), row('a', '79', 'unresolved'), row('b', '01', 'resolved')];
    expect(oneViolationPerCase(rows)).to.deep.equal([row('a', '79', 'unresolved'), row('b', '01', 'resolved')]);
  });

  it('given a case handed over 01 -> 79 -> 48 and not yet received in 48, then the last transfer is shown', () => {
    const rows = [row('a', '79', 'transferred', '48'), row('a', '01', 'transferred', '79')];
    expect(oneViolationPerCase(rows)).to.deep.equal([row('a', '79', 'transferred', '48')]);
  });

  it('given rows of distinct cases, then all are kept in their order', () => {
    const rows = [row('b', '79', 'unresolved'), row('a', '01', 'transferred', '79')];
    expect(oneViolationPerCase(rows)).to.deep.equal(rows);
  });
});
