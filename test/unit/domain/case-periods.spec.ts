/**
 * Periods in Vietnam calendar days (src/domain/case/periods.ts): the day of the event is not counted, a period
 * ends at 24:00 Vietnam time of its last day, a period in days whose last day is a weekend day or fixed public
 * holiday runs to the end of the next working day, and the one-year limitation ends at the end of the
 * anniversary of the violation's Vietnam date.
 */
import { expect } from 'chai';
import {
  addDays,
  daysAfter,
  endOfVnDay,
  hasElapsed,
  isNonWorkingDay,
  limitationPeriod,
  periodOfDays,
} from '../../../src/domain/case/periods.ts';
import { vietnamDate } from '../../../src/domain/signoff/primitives.ts';

describe('periods in Vietnam calendar days', () => {
  it('reads the Vietnam calendar day of an instant (UTC+7)', () => {
    expect(vietnamDate('2026-03-10T16:59:59.999Z')).to.equal('2026-03-10');
    expect(vietnamDate('2026-03-10T17:00:00.000Z')).to.equal('2026-03-11');
    expect(addDays('2026-02-27', 2)).to.equal('2026-03-01');
  });

  it('ends a Vietnam calendar day at 24:00 UTC+7, i.e. 17:00 UTC of the same date', () => {
    expect(endOfVnDay('2026-03-20')).to.equal('2026-03-20T17:00:00.000Z');
  });

  it('does not count the day of the event, and ends at the end of the N-th day after it', () => {
    // Tuesday 2026-03-10, 08:00 in Hà Nội: ten days → Friday 2026-03-20, to 24:00 Hà Nội time.
    const period = periodOfDays('2026-03-10T01:00:00.000Z', 10);
    expect(period).to.deep.equal({ lastDay: '2026-03-20', endsAt: '2026-03-20T17:00:00.000Z' });
    expect(hasElapsed(period, '2026-03-20T16:59:59.999Z')).to.equal(false);
    expect(hasElapsed(period, '2026-03-20T17:00:00.000Z')).to.equal(true);
  });

  it('counts from the Vietnam day, not the UTC day, of an event late in the UTC evening', () => {
    // 2026-03-10T18:00Z is 01:00 on 11 March in Hà Nội: the period counts from 11 March.
    expect(periodOfDays('2026-03-10T18:00:00.000Z', 10).lastDay).to.equal('2026-03-23'); // 21 Mar is a Saturday
  });

  it('moves a last day on a weekend to the end of the next working day (Civil Code Art. 148.5)', () => {
    // Thursday 2026-03-12 + 10 days = Sunday 2026-03-22 → Monday 2026-03-23.
    expect(periodOfDays('2026-03-12T03:00:00.000Z', 10)).to.deep.equal({
      lastDay: '2026-03-23',
      endsAt: '2026-03-23T17:00:00.000Z',
    });
  });

  it('moves a last day on a fixed public holiday (and the weekend after it) forward', () => {
    // 2026-04-20 + 10 = Thursday 30 April (holiday) → Friday 1 May (holiday) → Sat, Sun → Monday 4 May.
    expect(periodOfDays('2026-04-20T03:00:00.000Z', 10).lastDay).to.equal('2026-05-04');
    expect(isNonWorkingDay('2026-09-02')).to.equal(true);
    expect(isNonWorkingDay('2026-03-10')).to.equal(false);
  });

  it('refuses a period that is not a positive whole number of days', () => {
    expect(() => periodOfDays('2026-03-10T01:00:00.000Z', 0)).to.throw(RangeError);
    expect(() => periodOfDays('2026-03-10T01:00:00.000Z', 1.5)).to.throw(RangeError);
  });

  it('ends the one-year limitation at the end of the anniversary day, not the same UTC instant', () => {
    const limitation = limitationPeriod('2026-03-10T01:00:00.000Z');
    expect(limitation).to.deep.equal({ lastDay: '2027-03-10', endsAt: '2027-03-10T17:00:00.000Z' });
    // The same UTC instant a year later is still inside the limitation.
    expect(hasElapsed(limitation, '2027-03-10T01:00:00.000Z')).to.equal(false);
    // An evening violation (UTC) belongs to the next Vietnam day, and so does its anniversary.
    expect(limitationPeriod('2026-03-10T20:00:00.000Z').lastDay).to.equal('2027-03-11');
  });

  it('never extends the limitation over a weekend or holiday', () => {
    // 2026-04-30 → 2027-04-30 (a Friday and a holiday): the limitation still ends that day.
    expect(limitationPeriod('2026-04-30T03:00:00.000Z').lastDay).to.equal('2027-04-30');
  });

  it('ends a limitation that starts on 29 February on 28 February of the next year', () => {
    expect(limitationPeriod('2028-02-29T03:00:00.000Z').lastDay).to.equal('2029-02-28');
  });

  it('counts whole Vietnam days after the end of a period', () => {
    const period = periodOfDays('2026-03-10T01:00:00.000Z', 10); // ends with 2026-03-20
    expect(daysAfter(period, '2026-03-20T16:59:59.999Z')).to.equal(0);
    expect(daysAfter(period, '2026-03-20T17:00:00.000Z')).to.equal(1);
    expect(daysAfter(period, '2026-03-25T03:00:00.000Z')).to.equal(5);
  });
});
