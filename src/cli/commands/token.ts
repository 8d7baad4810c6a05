/**
 * `tec token`: mints a development bearer token from the local issuer key (never used in production). The key
 * is found exactly as the node finds it (`loadConfig`: `--data-dir`, else DATA_DIR, else ./data; ISSUER_KEY_FILE
 * wins), is never created here, and the file and key id used are printed on stderr.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { ROLES, type Role } from '../../adapters/auth/roles.ts';
import { DevIssuer, MAX_TOKEN_TTL_SECONDS, loadExistingSeedFile } from '../../adapters/auth/tokens.ts';
import { ValidationError } from '../../domain/shared/errors.ts';

export function register(program: Command): void {
  program
    .command('token')
    .description('mint a development bearer token (EdDSA JWT) from the node\'s issuer key (prints the key file and key id on stderr)')
    .requiredOption('--sub <subject>', 'subject: officer id, camera id, auditor id …')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--province <code>', 'two-digit province code, 00 for national scope', '00')
    .option('--ttl <seconds>', `lifetime in seconds, a whole number from 1 to ${MAX_TOKEN_TTL_SECONDS} (the node refuses longer-lived tokens)`, '900')
    .option('--data-dir <dir>', "the node's embedded directory (its keys/issuer.key); default DATA_DIR, else ./data, as the node resolves it")
    .action(async (opts: { sub: string; role: string; province: string; ttl: string; dataDir?: string }) => {
      if (!(ROLES as readonly string[]).includes(opts.role)) throw new ValidationError(`Unknown role ${opts.role}; use one of ${ROLES.join(', ')}`);
      if (!/^\d{2}$/.test(opts.province)) throw new ValidationError('--province must be a two-digit code');
      const ttl = Number(opts.ttl);
      if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TOKEN_TTL_SECONDS) throw new ValidationError(`--ttl must be an integer between 1 and ${MAX_TOKEN_TTL_SECONDS}`);
      const config = loadConfig(process.env, opts.dataDir ? { dataDir: opts.dataDir } : {});
      const issuer = new DevIssuer(loadExistingSeedFile(config.issuerKeyFile), config.jwtIssuer, config.jwtAudience);
      process.stderr.write(`issuer key: ${config.issuerKeyFile} (key id ${issuer.kid})\n`);
      process.stdout.write(`${await issuer.mint({ subject: opts.sub, role: opts.role as Role, province: opts.province, ttlSeconds: ttl })}\n`);
    });
}
