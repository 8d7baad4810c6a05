import { expect } from 'chai';
import { loadConfig } from '../../../src/config.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';

const base = { DATA_DIR: '/tmp/tec-appointments-spec' };

describe('config: the handling units\' appointment on notices (HANDLING_UNIT_APPOINTMENTS)', () => {
  it('unset: no province has its own setting (notices use the default)', () => {
    expect(loadConfig(base).handlingUnitAppointments).to.deep.equal({});
  });

  it('reads each province\'s working days after the notice and opening time', () => {
    const c = loadConfig({ ...base, HANDLING_UNIT_APPOINTMENTS: '01=5@08:00;79=3@07:30' });
    expect(c.handlingUnitAppointments).to.deep.equal({
      '01': { workingDaysAfterNotice: 5, opensAt: '08:00' },
      '79': { workingDaysAfterNotice: 3, opensAt: '07:30' },
    });
  });

  it('refuses a setting outside 1 to 7 working days, a bad time, or a malformed list', () => {
    for (const bad of ['01=0@08:00', '01=8@08:00', '01=5@24:00', '01=5@8:00', '01=5', '1=5@08:00', '01=5@08:00;', '01=5@08:00,79=3@07:30'])
      expect(() => loadConfig({ ...base, HANDLING_UNIT_APPOINTMENTS: bad }), bad).to.throw(ValidationError, /HANDLING_UNIT_APPOINTMENTS/);
  });
});
