/**
 * `tec serve --role api --processes N` is allowed only where nothing correctness-critical would live in one
 * process's memory (src/node/api-cluster.ts; the e2e is test/e2e/api-processes.spec.ts).
 */
import { expect } from 'chai';
import { loadConfig } from '../../../src/config.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { isWorkerMessage, MAX_API_PROCESSES, parseProcesses, requireScaleOut } from '../../../src/node/api-cluster.ts';

const shared = {
  DATA_DIR: '/tmp/tec-processes-spec',
  DATABASE_URL: 'postgres://db.example/tec',
  REDIS_URL: 'redis://redis.example:6379',
  OIDC: 'off',
};

function refusal(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('tec serve --processes', () => {
  it('parses a whole number from 1 to the maximum, 1 by default', () => {
    expect(parseProcesses(undefined)).to.equal(1);
    expect(parseProcesses('4')).to.equal(4);
    expect(parseProcesses(String(MAX_API_PROCESSES))).to.equal(MAX_API_PROCESSES);
    for (const bad of ['0', '-1', '1.5', '2x', '', ' 2', String(MAX_API_PROCESSES + 1), '1e1']) {
      expect(refusal(() => parseProcesses(bad)), bad).to.be.instanceOf(ValidationError);
    }
  });

  it('allows N API processes on shared PostgreSQL and Redis with an external issuer or OIDC off', () => {
    requireScaleOut(loadConfig(shared), 'api', 2);
    requireScaleOut(loadConfig({ ...shared, OIDC: undefined, JWKS_URL: 'https://idp.example/jwks' }), 'api', 8);
  });

  it('one process needs nothing shared', () => {
    requireScaleOut(loadConfig({ DATA_DIR: '/tmp/tec-processes-spec' }), undefined, 1);
  });

  it('refuses what would leave correctness-critical state in one process', () => {
    const cases: [string, NodeJS.ProcessEnv, string | undefined][] = [
      ['another role (the sequencer must stay single)', shared, 'sequencer'],
      ['every role at once', shared, undefined],
      ['the embedded database', { ...shared, DATABASE_URL: undefined }, 'api'],
      ['no Redis (lookup budget per process)', { ...shared, REDIS_URL: undefined }, 'api'],
      ['the embedded sign-in provider (sessions in memory)', { ...shared, OIDC: 'on' }, 'api'],
    ];
    for (const [what, env, role] of cases) {
      const error = refusal(() => requireScaleOut(loadConfig(env), role, 2));
      expect(error, what).to.be.instanceOf(ValidationError);
    }
  });

  it('accepts only the two worker messages the primary understands', () => {
    expect(isWorkerMessage({ kind: 'listening', url: 'http://127.0.0.1:1' })).to.equal(true);
    expect(isWorkerMessage({ kind: 'line', line: 'verifier-key: x' })).to.equal(true);
    for (const other of [null, 'listening', { kind: 'listening' }, { kind: 'line', line: 3 }, { kind: 'exit' }]) {
      expect(isWorkerMessage(other)).to.equal(false);
    }
  });
});
