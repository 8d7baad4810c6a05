/**
 * The federation and national routes publish their response bodies in the OpenAPI document (outside parties
 * implement against it; docs/federation.md "API"). The integration specs check real answers against these
 * declarations (test/support/declared-response.ts); this spec checks that every such route has one, and that
 * the key check itself catches what it must.
 */
import { expect } from 'chai';
import { apiDocument } from '../../../scripts/gen-api.ts';
import { undeclaredKeys } from '../../support/declared-response.ts';

type Doc = { paths: Record<string, Record<string, { tags?: string[]; responses: Record<string, { content?: Record<string, { schema?: object }> }> }>> };

describe('federation routes: response bodies in the OpenAPI document', () => {
  const doc = apiDocument() as Doc;

  it('given the document, every federation operation answering JSON declares its success body schema', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!op.tags?.includes('federation')) continue;
        checked++;
        const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
        for (const [status, r] of success) if (!r.content?.['application/json']?.schema) missing.push(`${method} ${path} ${status}`);
        if (success.length === 0) missing.push(`${method} ${path}: no success response`);
      }
    }
    // The 14 operations of issue 12: national views, read models, relay, status, alarms, the log registry.
    expect(checked).to.be.at.least(14);
    expect(missing).to.deep.equal([]);
  });

  it('given a declared body, the key check names a key the schema lacks, also inside arrays and nullable objects', () => {
    const schema = doc.paths['/v1/federation/status']!.get!.responses['200']!.content!['application/json']!.schema!;
    const body = {
      witness: 'k',
      logs: [{ origin: 'o', retired: false, forkAlarms: 0, secret: 'x' }],
      mirror: [],
      extra: 1,
    };
    expect(undeclaredKeys(schema, body)).to.deep.equal(['$.logs[0].secret', '$.extra']);
    const coverage = doc.paths['/v1/national/camera-coverage']!.get!.responses['200']!.content!['application/json']!.schema!;
    expect(undeclaredKeys(coverage, { national: null, provinces: [] })).to.deep.equal([]);
    expect(undeclaredKeys(coverage, { national: { expressway: {}, centralCommunes: {}, x: 1 } })).to.deep.equal(['$.national.x']);
  });
});
