import { expect } from 'chai';
import { createEventStore, eventStoreKind } from '../../../src/adapters/eventstore/factory.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';

describe('event store factory', function () {
  it('picks the adapter from the URL scheme, falling back to the embedded URL', async function () {
    expect(eventStoreKind('esdb://localhost:2113?tls=false')).to.equal('esdb');
    expect(eventStoreKind('esdb+discover://cluster:2113')).to.equal('esdb');
    expect(eventStoreKind('postgres://u@h/db')).to.equal('postgres');
    expect(eventStoreKind('postgresql://u@h/db')).to.equal('postgres');
    const stores = [
      createEventStore({ eventstoreUrl: 'esdb://127.0.0.1:1?tls=false' }),
      createEventStore({ eventstoreUrl: 'postgres://postgres@127.0.0.1:1/x' }),
      createEventStore({ eventstoreUrl: '', embeddedUrl: 'postgres://postgres@127.0.0.1:1/postgres' }),
    ];
    expect(stores.map((s) => s.kind)).to.deep.equal(['esdb', 'postgres', 'postgres']);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('refuses unknown schemes and a missing URL with a typed error', function () {
    expect(() => createEventStore({ eventstoreUrl: 'mysql://x' })).to.throw(ValidationError);
    expect(() => createEventStore({})).to.throw(ValidationError);
  });
});
