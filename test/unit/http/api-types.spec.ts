/**
 * The web UI's API types (web/src/lib/api-types.gen.ts) are generated from the OpenAPI document of the route
 * declarations by `npm run gen:api`: the committed file must be what generating now gives, so a route
 * change without regenerating fails here.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { GENERATED_FILE, apiDocument, generateApiTypes } from '../../../scripts/gen-api.ts';

describe('web API types generated from the OpenAPI document', function () {
  this.timeout(120_000);

  it('the committed web/src/lib/api-types.gen.ts is up to date with the route declarations', async () => {
    const committed = readFileSync(GENERATED_FILE, 'utf8');
    const generated = await generateApiTypes();
    expect(committed === generated, 'web/src/lib/api-types.gen.ts is out of date: run npm run gen:api').to.equal(true);
  });

  it('builds the document without calling any service (nothing is started)', () => {
    const document = apiDocument() as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).to.include.members(['/v1/me', '/v1/review-queue']);
  });
});
