/**
 * `tec verify --regenerate` (docs/integrity.md, "Bundle additions"): each included document rendered again from
 * the input the bundle carries is compared byte for byte with the included PDF.
 */
import { expect } from 'chai';
import { PdfDocumentRenderer } from '../../../src/adapters/documents/pdf.ts';
import { formatRegenerated, regenerateDocuments } from '../../../src/cli/commands/verify.ts';
import type { BundleReport } from '../../../src/domain/bundle/index.ts';
import { decisionDoc } from '../documents/fixtures.ts';

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
const reportWith = (input?: string): BundleReport =>
  ({ documents: [{ entry: 'documents/decision-1.pdf', kind: 'decision', digest: 'sha256:x', recordId: 'r', ...(input ? { input } : {}) }] }) as unknown as BundleReport;

describe('tec verify --regenerate', function () {
  this.timeout(60_000);

  it('renders the input again and finds the same bytes; another input, other bytes; garbage does not render', async () => {
    const pdf = await new PdfDocumentRenderer().render(decisionDoc);
    const entries = new Map<string, Uint8Array>([
      ['documents/decision-1.pdf', pdf],
      ['documents/decision-1.json', json(decisionDoc)],
    ]);
    expect(await regenerateDocuments(entries, reportWith('documents/decision-1.json'))).to.deep.equal([{ entry: 'documents/decision-1.pdf', status: 'identical' }]);

    entries.set('documents/decision-1.json', json({ ...decisionDoc, fineVnd: 19_000_000 }));
    expect((await regenerateDocuments(entries, reportWith('documents/decision-1.json')))[0]!.status).to.equal('differs');

    entries.set('documents/decision-1.json', new TextEncoder().encode('{"kind":"decision"'));
    expect((await regenerateDocuments(entries, reportWith('documents/decision-1.json')))[0]!.status).to.equal('unrenderable');

    const bare = await regenerateDocuments(entries, reportWith());
    expect(bare[0]!.status).to.equal('no-input');
    expect(formatRegenerated(bare)).to.include('documents/decision-1.pdf');
  });
});
