/**
 * The short human block `tec serve` prints after start-up (not JSON; no secrets except, with `--demo`, the demo
 * officer's generated password and TOTP secret, which are there to be used): where the UI is, how to sign in or get a
 * token for it (with the data directory the node uses, so the token is signed by this node's issuer key), the
 * development issuer key's file and key id, and the ledger's verifier key a court checks bundles against.
 */
export interface StartupFacts {
  url: string | undefined;
  dataDir: string;
  /** Whether the node uses the embedded directory (then `--data-dir` is what `tec token` needs). */
  embedded: boolean;
  /** The development issuer; undefined with an external issuer (JWKS_URL). */
  issuer: { keyFile: string; kid: string } | undefined;
  verifierKey: string;
  demo: boolean;
  /** The embedded sign-in provider's issuer, when it runs. */
  oidcIssuer?: string | undefined;
  /** Demo: the officer a person signs in as first, with the generated password and TOTP secret. */
  demoSignIn?: { id: string; password: string; totpSecret: string; file: string } | undefined;
}

/** Quotes a path for a POSIX shell when it holds anything beyond the safe characters. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function startupBanner(facts: StartupFacts): string[] {
  const rule = '─'.repeat(72);
  const dir = facts.embedded ? ` --data-dir ${shellWord(facts.dataDir)}` : '';
  const lines = [rule, 'Traffic evidence center is running'];
  if (facts.url) lines.push(`  Web UI:        ${facts.url}/`);
  if (facts.demoSignIn) {
    lines.push(`  Sign in:       open the URL, sign in as ${facts.demoSignIn.id}`);
    lines.push(`                 password ${facts.demoSignIn.password}, TOTP secret ${facts.demoSignIn.totpSecret}`);
    lines.push(`                 (add the secret to an authenticator app; every demo account: ${facts.demoSignIn.file})`);
  } else if (facts.oidcIssuer) {
    lines.push(`  Sign in:       open the URL and sign in with an account of this node (provider ${facts.oidcIssuer})`);
  }
  if (facts.issuer) {
    lines.push(`  ${facts.oidcIssuer ? 'Script token: ' : 'Sign in:      '} ${facts.oidcIssuer ? '' : 'paste a token from: '}npm run tec -- token --sub officer-01-reviewer --role officer --province 01${dir}`);
    lines.push(`  Issuer key:    ${facts.issuer.keyFile} (key id ${facts.issuer.kid})`);
  } else {
    lines.push('  Sign in:       with a token from the configured issuer (JWKS_URL)');
  }
  if (facts.demo) lines.push(`  Signing keys:  ${facts.dataDir}/demo-keys/<officer>.key (import under "Khóa ký")`);
  lines.push(`  Verifier key:  ${facts.verifierKey}`);
  lines.push(rule);
  return lines;
}
