/**
 * Camera registration over HTTP with reference codes: a commune code and an expressway route code that fit
 * the camera's province are recorded; codes that do not are a 422 problem naming the rule, and nothing is
 * appended.
 */
import { expect } from 'chai';
import { keyPairFromLabel } from '../../../src/domain/signoff/keys.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { buildHttpWorld, call, expectStatus, type HttpWorld } from './support/world.ts';

describe('camera registration with commune and route codes (HTTP)', function () {
  this.timeout(120_000);
  let node: ApiNode;
  let world: HttpWorld;

  before(async () => {
    node = await startApiNode('http_camref');
    world = await buildHttpWorld(node);
  });
  after(async () => node?.close());

  const location = { latMicro: 20_900_100, lonMicro: 105_870_000, description: 'Cao tốc Pháp Vân – Cầu Giẽ, Km 195', roadType: 'expressway' };
  const register = (cameraId: string, codes: Record<string, string>) =>
    call(node, 'POST', '/v1/admin/cameras', {
      token: world.adminToken,
      body: { cameraId, province: '01', location, publicKey: keyPairFromLabel(`${cameraId}#1`).publicKey, ...codes },
    });

  it('refuses a commune of another province, an unknown route and a route not through the province with 422 problems', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ communeCode: '26743' }, 'commune-outside-province'],
      [{ communeCode: '99999' }, 'unknown-commune'],
      [{ routeCode: 'CT.99' }, 'unknown-expressway-route'],
      [{ routeCode: 'CT.06' }, 'route-outside-province'],
    ];
    for (const [codes, type] of cases) {
      const reply = await register(`cam-01-ref-bad-${type}`, codes);
      expect(reply.status, type).to.equal(422);
      expect(reply.json.type).to.match(new RegExp(`/${type}$`));
    }
    const malformed = await register('cam-01-ref-bad-format', { communeCode: 'Ba Đình' });
    expect(malformed.status).to.equal(400);
  });

  it('records codes that fit: Xã Thường Tín on CT.01 in Hà Nội', async () => {
    expectStatus(await register('cam-01-ref-ok', { communeCode: '10183', routeCode: 'CT.01' }), 201);
    const stream = await node.store.readStream('camera-cam-01-ref-ok');
    expect(stream[0]!.record.data).to.deep.include({ communeCode: '10183', routeCode: 'CT.01' });
  });
});
