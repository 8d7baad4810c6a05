/**
 * Debian's Chromium for the browser tests (playwright-core drives it; no browser download).
 * Installed with apt-get when missing, running as root, and browser specs exist. Returns its path or undefined.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export function ensureChromium(): string | undefined {
  if (process.env.TEST_CHROMIUM && existsSync(process.env.TEST_CHROMIUM)) return process.env.TEST_CHROMIUM;
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (!existsSync(new URL('../test/browser', import.meta.url))) return undefined;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    process.stderr.write('[test] chromium missing and not root: browser specs will be skipped\n');
    return undefined;
  }
  process.stderr.write('[test] installing chromium with apt-get\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  return existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : undefined;
}
