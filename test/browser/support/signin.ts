/**
 * Signing in from the specs with a development token (the secondary way on the sign-in page; the real sign-in
 * with password and TOTP is test/browser/signin.spec.ts). After sign-in the app opens the role's own page; this
 * waits for the top bar to show who is signed in. `keys` then opens the signing-key page.
 */
import type { Page } from 'playwright-core';

export async function signInWithToken(page: Page, url: string, token: string, subject?: string): Promise<void> {
  await page.goto(`${url}/#/signin`);
  await page.locator('#token').fill(token);
  await page.locator('#token-signin').click();
  const identity = page.getByTestId('identity');
  await (subject ? identity.filter({ hasText: subject }) : identity).waitFor();
  await page.waitForFunction(() => location.hash !== '#/signin');
}

/** The signing-key page of the signed-in officer. */
export async function openKeys(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/#/signin`);
  await page.getByTestId('signed-in').waitFor();
}
