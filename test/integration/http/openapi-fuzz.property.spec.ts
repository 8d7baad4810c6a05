/**
 * Property-based fuzzing driven by the node's own OpenAPI document (issue 10): for every operation in
 * `/openapi.json`, malformed and near-valid path parameters, query strings, headers (tokens of every role and
 * province scope, garbage tokens, purposes) and bodies (shaped by the operation's JSON Schema, then broken:
 * wrong types, impossible dates, missing and extra fields, invalid JSON, wrong content types, garbage raw
 * uploads). Every request must get a non-5xx answer, the server must stay up, and a refused (4xx) request
 * must write nothing: the event store's global feed head and the evidence directory are unchanged across it.
 *
 * `FUZZ_RUNS` sets the cases per operation (default 100, about 80 s for the ~45 operations on a loaded
 * 2-core machine; use a few hundred locally). Under CI the seed is fixed (test/support/fast-check-seed.ts).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Role } from '../../../src/adapters/auth/roles.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import {
  HANOI,
  SAIGON,
  buildHttpWorld,
  expectStatus,
  ingest,
  signedDetection,
  type HttpWorld,
} from './support/world.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const ROLES: Role[] = ['device', 'officer', 'supervisor', 'auditor', 'court', 'analyst', 'admin'];
const PROVINCES = [HANOI, SAIGON, '00'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  parameters: Parameter[];
  roles: Role[] | 'public';
  jsonBody?: Schema;
  rawContentTypes?: string[];
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Strings a validator must survive: empty, huge, control characters, traversal, SQL, unicode, numbers. */
const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e400',
    'NaN',
    'null',
    'true',
    '[]',
    '{}',
    '../../etc/passwd',
    '..%2F..%2F',
    "' OR 1=1 --",
    '\u0000',
    '%00',
    '\uFFFF',
    '𝕏',
    'a'.repeat(5000),
    '2026-02-30',
    '2026-13-01T00:00:00Z',
    '2026-02-30T00:00:00.000Z',
    '0000-00-00T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '1970-01-01T00:00:00Z',
    '2026-11-24T10:00:00+07:00',
    'sha256:' + '0'.repeat(64),
    '0'.repeat(64),
    '00000000-0000-0000-0000-000000000000',
    '18446744073709551616',
    '9007199254740993',
  ),
);

const dateTime: fc.Arbitrary<string> = fc.oneof(
  fc
    .date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2200, 0, 1)), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc
    .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
    .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00Z`),
  nastyString,
);

/** Opaque tokens (paging cursors and the like) are often base64url JSON: craft ones whose content is hostile. */
const opaqueToken: fc.Arbitrary<string> = fc
  .oneof(
    fc.tuple(dateTime, fc.oneof(fc.uuid(), nastyString)),
    fc.array(fc.oneof(dateTime, fc.uuid(), nastyString), { maxLength: 3 }),
    fc.jsonValue({ maxDepth: 2 }),
  )
  .map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url'));

/** Strings matching a schema's pattern: right shape, arbitrary content (e.g. 2026-19-45 for a date). */
function matching(pattern: string | undefined): fc.Arbitrary<string> | undefined {
  if (!pattern) return undefined;
  try {
    return fc.stringMatching(new RegExp(pattern));
  } catch {
    return undefined;
  }
}

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, '', [], {}),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A value shaped by the JSON Schema, broken at random: mostly near-valid so validation is exercised deeply. */
function fromSchema(schema: Schema | undefined, known: Record<string, string[]>, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return wrongValue;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => fromSchema(s, known, depth + 1)), wrongValue);
  if (schema.allOf?.length) return fromSchema(schema.allOf[0], known, depth + 1);
  let shaped: fc.Arbitrary<unknown>;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.const !== undefined) shaped = fc.constant(schema.const);
  else if (schema.enum?.length) shaped = fc.constantFrom(...schema.enum);
  else if (type === 'object' || schema.properties) {
    const props = Object.entries(schema.properties ?? {});
    const record = fc.record(
      Object.fromEntries(
        props.map(([name, s]) => [
          name,
          known[name]?.length
            ? fc.oneof(fc.constantFrom(...known[name]!), fromSchema(s, known, depth + 1))
            : fromSchema(s, known, depth + 1),
        ]),
      ),
      { requiredKeys: [] },
    );
    shaped = fc
      .tuple(record, fc.option(fc.dictionary(fc.string({ maxLength: 8 }), wrongValue, { maxKeys: 2 })))
      .map(([r, extra]) => ({ ...(extra ?? {}), ...r }));
  } else if (type === 'array') shaped = fc.array(fromSchema(schema.items, known, depth + 1), { maxLength: 4 });
  else if (type === 'integer')
    shaped = fc.oneof(
      fc.integer(),
      fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1e9, 1e9) }),
      fc.constantFrom(0, -1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e21),
    );
  else if (type === 'number') shaped = fc.double();
  else if (type === 'boolean') shaped = fc.boolean();
  else if (type === 'string' && schema.format === 'date-time') shaped = dateTime;
  else {
    const shapedByPattern = matching(schema.pattern);
    shaped = shapedByPattern
      ? fc.oneof({ weight: 3, arbitrary: shapedByPattern }, { weight: 1, arbitrary: nastyString })
      : fc.oneof({ weight: 3, arbitrary: nastyString }, { weight: 1, arbitrary: opaqueToken });
  }
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: wrongValue });
}

/** A header value fetch can send (ByteString, no CR/LF). */
const headerSafe = (s: string): string => s.replace(/[^\x20-\x7e]/g, '');

function operations(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as
        | {
            parameters?: Parameter[];
            'x-roles'?: Role[];
            security?: unknown[];
            requestBody?: { content?: Record<string, { schema?: Schema }> };
          }
        | undefined;
      if (!op) continue;
      const content = op.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      const raw = Object.keys(content).filter((t) => t !== 'application/json');
      ops.push({
        method,
        path,
        parameters: op.parameters ?? [],
        roles: op['x-roles'] ?? 'public',
        ...(json ? { jsonBody: json } : {}),
        ...(raw.length ? { rawContentTypes: raw } : {}),
      });
    }
  }
  return ops;
}

async function listing(dir: string): Promise<string> {
  try {
    return (await readdir(dir, { recursive: true })).sort().join('\n');
  } catch {
    return '';
  }
}

describe('HTTP: OpenAPI-driven fuzzing (property, issue 10)', function () {
  this.timeout(600_000);
  let node: ApiNode;
  let world: HttpWorld;
  let ops: Operation[];
  const tokens: { role: Role; province: string; token: string }[] = [];
  const known: Record<string, string[]> = {};

  let db: pg.Client;
  /**
   * The newest committed record, read directly. Not `store.headCheckpoint()`: the feed shows a record only once
   * every older transaction has ended (the projection runner's and the sequencer's included), so its head can
   * move during one request because of a record an earlier request committed and answered for.
   */
  const lastRecord = async (): Promise<string> =>
    (await db.query<{ pos: string | null }>('SELECT max(global_position)::text AS pos FROM event_records')).rows[0]!.pos ?? 'none';

  before(async () => {
    node = await startApiNode('fuzz', { projections: true, sealWaitMs: 2000 });
    db = new pg.Client({ connectionString: node.db.url });
    await db.connect();
    world = await buildHttpWorld(node);
    const signed = await signedDetection(world.cameras[HANOI]!);
    const reply = await ingest(node, world.cameras[HANOI]!, signed);
    expectStatus(reply, 201, 'ingest');
    const caseId = String(reply.json.caseId);
    const officers = [world.officers[HANOI]!, world.officers[SAIGON]!, world.national];
    for (const role of ROLES) {
      for (const province of PROVINCES) {
        const subject =
          role === 'device'
            ? (world.cameras[province]?.cameraId ?? world.cameras[HANOI]!.cameraId)
            : role === 'officer' || role === 'supervisor'
              ? officers[PROVINCES.indexOf(province)]!.officerId
              : `${role}-${province}-fuzz`;
        tokens.push({ role, province, token: await node.token(role, province, subject) });
      }
    }
    Object.assign(known, {
      caseId: [caseId],
      digest: signed.detection.evidence.map((e) => e.digest),
      cameraId: Object.values(world.cameras).map((c) => c.cameraId),
      officerId: officers.map((o) => o.officerId),
      modelId: [world.modelId],
      province: PROVINCES,
    });
    const doc = await fetch(`${node.url}/openapi.json`).then((r) => r.json());
    ops = operations(doc as never);
    expect(ops.length).to.be.greaterThan(20);
  });
  after(async () => {
    await db?.end();
    await node?.close();
  });

  function requestArbitrary(op: Operation): fc.Arbitrary<FuzzRequest> {
    const valueFor = (p: Parameter): fc.Arbitrary<string> => {
      const shaped = fromSchema(p.schema, known).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? ''));
      return known[p.name]?.length ? fc.oneof(fc.constantFrom(...known[p.name]!), shaped) : shaped;
    };
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    const queryParams = op.parameters.filter((p) => p.in === 'query');
    const admitted = op.roles === 'public' ? tokens : tokens.filter((t) => (op.roles as Role[]).includes(t.role));
    const authorization: fc.Arbitrary<string | undefined> = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...(admitted.length ? admitted : tokens)).map((t) => `Bearer ${t.token}`) },
      { weight: 2, arbitrary: fc.constantFrom(...tokens).map((t) => `Bearer ${t.token}`) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.constant(undefined),
          nastyString.map((s) => headerSafe(`Bearer ${s}`)),
          fc.constantFrom(...tokens).map((t) => `Bearer ${t.token.slice(0, -4)}AAAA`),
          fc.constant('Basic YWRtaW46YWRtaW4='),
        ),
      },
    );
    const purpose: fc.Arbitrary<string | undefined> = fc.oneof(
      { weight: 4, arbitrary: fc.constant('fuzz check of the API') },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: nastyString.map(headerSafe) },
    );
    const body: fc.Arbitrary<{ contentType?: string; body?: string | Uint8Array }> = op.jsonBody
      ? fc.oneof(
          { weight: 6, arbitrary: fromSchema(op.jsonBody, known).map((v) => ({ contentType: 'application/json', body: JSON.stringify(v) ?? 'null' })) },
          {
            weight: 1,
            arbitrary: fc.record({
              contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
              body: fc.oneof(nastyString, fc.constantFrom('{', '{"a":', '[1,2', '\u0000', '{"__proto__":{"admin":true}}')),
            }),
          },
          { weight: 1, arbitrary: fc.constant({}) },
        )
      : op.rawContentTypes
        ? fc.record({
            contentType: fc.oneof(fc.constantFrom(...op.rawContentTypes), fc.constant('multipart/form-data; boundary=fuzz'), nastyString.map(headerSafe)),
            body: fc.oneof(
              fc.uint8Array({ maxLength: 2048 }),
              fc.constant('--fuzz\r\nContent-Disposition: form-data; name="detection"\r\n\r\n{}\r\n--fuzz--\r\n'),
              nastyString,
            ),
          })
        : fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.record({ contentType: fc.constant('application/json'), body: fc.json() }) });
    const query = fc.tuple(
      ...queryParams.map((p) =>
        fc.option(
          fc.oneof(
            { weight: 6, arbitrary: valueFor(p).map((v) => [v]) },
            { weight: 1, arbitrary: fc.array(valueFor(p), { minLength: 2, maxLength: 3 }) },
          ),
          { freq: 2 },
        ),
      ),
      fc.option(fc.dictionary(fc.string({ maxLength: 6 }), nastyString, { maxKeys: 2 }), { freq: 4 }),
    );
    return fc
      .record({
        path: fc.tuple(...pathParams.map(valueFor)),
        query,
        authorization,
        purpose,
        body,
        extraHeader: fc.option(fc.tuple(fc.constantFrom('accept', 'x-request-id', 'content-length-x', 'range', 'if-match'), nastyString.map(headerSafe))),
      })
      .map((r) => {
        let path = op.path;
        pathParams.forEach((p, i) => {
          path = path.replace(`{${p.name}}`, encodeURIComponent(r.path[i]!));
        });
        const search = new URLSearchParams();
        const values = r.query.slice(0, queryParams.length) as (string[] | null)[];
        values.forEach((v, i) => v?.forEach((x) => search.append(queryParams[i]!.name, x)));
        const extra = r.query[queryParams.length] as Record<string, string> | null;
        for (const [k, v] of Object.entries(extra ?? {})) search.append(k, v);
        const headers: Record<string, string> = {};
        if (r.authorization !== undefined) headers.authorization = r.authorization;
        if (r.purpose !== undefined) headers['x-purpose'] = r.purpose;
        if (r.extraHeader) headers[r.extraHeader[0]] = r.extraHeader[1];
        if (r.body.contentType !== undefined) headers['content-type'] = r.body.contentType;
        const qs = search.toString();
        return {
          method: op.method.toUpperCase(),
          url: `${node.url}${path}${qs ? `?${qs}` : ''}`,
          headers,
          ...(r.body.body !== undefined ? { body: r.body.body } : {}),
        };
      });
  }

  it('every operation: no 5xx, the server stays up, and a refused request writes nothing', async () => {
    const evidenceDir = join(node.dir, 'evidence');
    const serverErrors: string[] = [];
    const counts: Record<string, number> = {};
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op), async (req) => {
          const lastBefore = await lastRecord();
          const filesBefore = await listing(evidenceDir);
          const response = await fetch(req.url, {
            method: req.method,
            headers: req.headers,
            ...(req.body !== undefined && req.method !== 'GET' ? { body: typeof req.body === 'string' ? req.body : new Uint8Array(req.body) } : {}),
          });
          const text = await response.text();
          const key = `${req.method} ${op.path} ${response.status}`;
          counts[key] = (counts[key] ?? 0) + 1;
          if (response.status >= 500) {
            serverErrors.push(`${req.method} ${req.url.slice(node.url.length, node.url.length + 300)} → ${response.status} ${text.slice(0, 300)}`);
            return; // collected and asserted below, so one run lists every operation that fails
          }
          if (response.status >= 400) {
            const lastAfter = await lastRecord();
            if (lastAfter !== lastBefore) {
              const written = await db.query<{ type: string; stream: string }>(
                'SELECT type, stream FROM event_records WHERE global_position > $1::bigint ORDER BY global_position',
                [lastBefore === 'none' ? '0' : lastBefore],
              );
              expect.fail(`${key}: a refused request appended ${written.rows.map((r) => `${r.type} to ${r.stream}`).join(', ')} (${req.url})`);
            }
            expect(await listing(evidenceDir), `${key}: evidence written by a refused request ${req.url}`).to.equal(filesBefore);
          }
        }),
        { numRuns: RUNS },
      );
      const health = await fetch(`${node.url}/healthz`);
      expect(health.status, `server unhealthy after ${op.method} ${op.path}`).to.equal(200);
    }
    if (process.env.FUZZ_VERBOSE) process.stderr.write(`${JSON.stringify(counts, null, 1)}\n`);
    expect(serverErrors, serverErrors.slice(0, 20).join('\n')).to.deep.equal([]);
  });
});
