/** One declaration per read model: the row type and the DDL both follow from the entity. */
import { expect } from 'chai';
import type { EntitySchema } from 'typeorm';
import { createTableSql } from '../../../src/projections/read-models/ddl.ts';
import { big, int, json, key, readModel, text, ts, uuid, vnd, withDefault, type RowOf } from '../../../src/projections/read-models/declare.ts';
import type { CaseViewRow, TimelineRow } from '../../../src/projections/cases/case-view.ts';
import type { CitizenRow } from '../../../src/projections/cases/citizen-view.ts';
import type { CaseRow, CustodyRow, StatsDailyRow } from '../../../src/projections/read-models/entities.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

describe('read-model declarations', () => {
  const Example = readModel({
    name: 'Example',
    tableName: 'rm_example',
    columns: {
      id: key(uuid('id')),
      seq: key(big('seq')),
      note: text('note', true),
      fine: withDefault(vnd('fine_vnd'), 0),
      state: withDefault(text('state'), "it's"),
      at: withDefault(ts('at'), () => 'now()'),
      count: int('count'),
      body: json('body', true),
    },
    checks: [{ expression: 'count >= 0' }],
    indices: [{ name: 'rm_example_note_idx', columns: ['note', 'at'], where: 'note IS NOT NULL' }],
  });

  it('derives the row type from the columns (checked by `npm run typecheck`)', () => {
    const checks: [
      Equal<RowOf<typeof Example>, { id: string; seq: bigint; note: string | null; fine: number; state: string; at: Date; count: number; body: unknown }>,
      Equal<CaseRow['commune'], string | null>,
      Equal<CaseRow['fineVnd'], number | null>,
      Equal<CaseRow['revision'], bigint>,
      Equal<CaseRow['observedAt'], Date>,
      Equal<CustodyRow['seq'], bigint>,
      Equal<StatsDailyRow['day'], string>,
      // The folds' JSON form, keyed by column name, from the same declarations.
      Equal<CaseViewRow['fine_vnd'], number | null>,
      Equal<CaseViewRow['observed_at'], string>,
      Equal<CaseViewRow['revision'], number>,
      Equal<CaseViewRow['flags'], { flag: string; detail: string }[]>,
      Equal<TimelineRow['record_hash'], string>,
      Equal<CitizenRow['plate_colour'], string | null>,
    ] = [true, true, true, true, true, true, true, true, true, true, true, true, true];
    // @ts-expect-error a JSON row without its declared columns is refused
    const partial: CitizenRow = { case_id: '00000000-0000-4000-8000-000000000000' };
    expect(partial).to.have.property('case_id');
    expect(checks.every(Boolean)).to.equal(true);
  });

  it('gives the DDL, in any schema: key, NOT NULL, defaults (literals quoted), checks, partial indexes', () => {
    expect(createTableSql(Example as EntitySchema<unknown>, 'replay_x')).to.equal(
      [
        'CREATE TABLE replay_x.rm_example (',
        '  id uuid NOT NULL,',
        '  seq bigint NOT NULL,',
        '  note text,',
        '  fine_vnd bigint NOT NULL DEFAULT 0,',
        "  state text NOT NULL DEFAULT 'it''s',",
        '  at timestamptz NOT NULL DEFAULT now(),',
        '  count integer NOT NULL,',
        '  body jsonb,',
        '  PRIMARY KEY (id, seq),',
        '  CHECK (count >= 0)',
        ');',
        'CREATE INDEX rm_example_note_idx ON replay_x.rm_example (note, at) WHERE note IS NOT NULL;',
        '',
      ].join('\n'),
    );
    expect(createTableSql(Example as EntitySchema<unknown>)).to.match(/^CREATE TABLE rm_example \(/);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => createTableSql(Example as EntitySchema<unknown>, 'x; DROP TABLE rm_case')).to.throw(Error);
  });
});
