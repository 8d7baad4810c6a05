/**
 * The embedded OpenID Connect provider (oidc-provider) of a node that has no external identity provider:
 * accounts with a password and a TOTP second factor (accounts.ts), one public client (the web app, authorization
 * code + PKCE), JWT access tokens for the API (EdDSA, `aud` = the API's audience, `role` and `province` claims,
 * 10 minutes) and rotating refresh tokens that last one 12-hour shift from sign-in.
 *
 * Mounted at `/oidc` on the node's own HTTP server; its issuer is `<node URL>/oidc`. The API verifies its tokens
 * like any other issuer's, with the provider's public key (also served at `/oidc/jwks`). Production points
 * `JWKS_URL` and `JWT_ISSUER` at the Ministry's identity provider instead, and this provider does not run.
 *
 * Sessions, grants and refresh tokens live in this process's memory (oidc-provider's own adapter): a restart
 * signs everybody out.
 */
import { createHmac, type KeyObject, createPublicKey } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { exportJWK } from 'jose';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import { AccountLockedError, SignInRefusedError, type AccountStore } from './accounts.ts';
import { errorPage, passwordPage, totpPage, type LoginLang, type LoginMessage } from './login-pages.ts';
import { kidOf, privateKeyFromSeed } from './tokens.ts';

/** The web app's client id (public client: no secret, PKCE S256 required). */
export const WEB_CLIENT_ID = 'tec-web';
/** The API as a resource indicator; its tokens carry `aud` = the configured API audience. */
export const API_RESOURCE = 'urn:tec:api';
export const ACCESS_TOKEN_TTL_SECONDS = 600;
export const SHIFT_SECONDS = 12 * 3600;

export interface EmbeddedOidcOptions {
  /** `<node URL>/oidc`. */
  issuer: string;
  /** The API's audience (`JWT_AUDIENCE`). */
  audience: string;
  /** 32-byte Ed25519 seed: signs the tokens and (derived) the provider's cookies. */
  seed: Uint8Array;
  accounts: AccountStore;
  /** Where the web app receives the code: the node's URL + `/`. */
  redirectUris: string[];
  logger: Logger;
  /** Sign-in form posts per minute per client address (default 60). */
  attemptsPerMinute?: number;
}

export interface EmbeddedOidc {
  issuer: string;
  publicKey: KeyObject;
  /** Mount at `/oidc`. */
  router: Router;
  provider: Provider;
}

interface Pending {
  accountId?: string;
  lang: LoginLang;
}

function langOf(value: unknown): LoginLang | undefined {
  return typeof value === 'string' && value.length > 0
    ? value.trim().toLowerCase().startsWith('en')
      ? 'en'
      : 'vi'
    : undefined;
}

export async function createEmbeddedOidc(options: EmbeddedOidcOptions): Promise<EmbeddedOidc> {
  const privateKey = privateKeyFromSeed(options.seed);
  const publicKey = createPublicKey(privateKey);
  const kid = kidOf(publicKey);
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA', use: 'sig' };
  const cookieKey = createHmac('sha256', Buffer.from(options.seed))
    .update('tec oidc cookie keys v1')
    .digest('base64url');
  const { accounts } = options;
  const home = new URL('/', options.issuer).toString();

  const configuration: Configuration = {
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: options.redirectUris,
        id_token_signed_response_alg: 'EdDSA',
      },
    ],
    jwks: { keys: [jwk as never] },
    scopes: ['openid', 'api'],
    claims: { openid: ['sub'] },
    responseTypes: ['code'],
    // Cross-origin calls to the token and revocation endpoints: only from the origins the web client is served at.
    clientBasedCORS: (_ctx, origin, client) =>
      origin !== 'null' && (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    pkce: { required: () => true },
    cookies: { keys: [cookieKey] },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: 'api',
            audience: options.audience,
            accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'EdDSA' } },
          };
        },
      },
    },
    findAccount: (_ctx, id) => {
      const account = accounts.find(id);
      return account ? { accountId: account.id, claims: () => ({ sub: account.id }) } : undefined;
    },
    // The API's authorisation claims, read from the account at each issue (a refresh sees a changed role).
    extraTokenClaims: (_ctx, token) => {
      if (token.kind !== 'AccessToken' || !('accountId' in token)) return undefined;
      const account = accounts.find(String(token.accountId));
      return account ? { role: account.role, province: account.province } : undefined;
    },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    expiresWithSession: () => false,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: ACCESS_TOKEN_TTL_SECONDS,
      Interaction: 600,
      Session: SHIFT_SECONDS,
      Grant: SHIFT_SECONDS,
      // One shift from sign-in: a rotated token keeps what was left of its predecessor.
      RefreshToken: (ctx) => ctx?.oidc?.entities.RotatedRefreshToken?.remainingTTL ?? SHIFT_SECONDS,
    },
    // First-party application: no consent screen; the grant covers openid and the API.
    loadExistingGrant: async (ctx) => {
      const clientId = ctx.oidc.client!.clientId;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(clientId);
      if (grantId) {
        const found = await ctx.oidc.provider.Grant.find(grantId);
        if (found) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid api');
      grant.addResourceScope(API_RESOURCE, 'api');
      await grant.save();
      ctx.oidc.session!.grantIdFor(clientId, grant.jti);
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/oidc/interaction/${interaction.uid}` },
    renderError: (ctx: KoaContextWithOIDC, _out, error) => {
      const lang = langOf(ctx.oidc?.params?.ui_locales) ?? 'vi';
      const name = (error as Error).name;
      ctx.type = 'html';
      ctx.body = errorPage(
        lang,
        name === 'SessionNotFound' || name === 'InvalidRequest' ? 'expired' : 'failed',
        home,
      );
    },
  };

  const provider = new Provider(options.issuer, configuration);
  provider.on('server_error', (_ctx: unknown, error: Error) =>
    options.logger.error({ err: { name: error.name, message: error.message } }, 'oidc provider error'),
  );

  // In-flight sign-ins: which account passed the password step (per interaction, which lives 10 minutes).
  const pending = new Map<string, Pending>();
  const remember = (uid: string, value: Pending) => {
    if (pending.size >= 10_000) pending.delete(pending.keys().next().value!);
    pending.set(uid, value);
  };

  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const limited = rateLimit({
    windowMs: 60_000,
    limit: options.attemptsPerMinute ?? 60,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    validate: { xForwardedForHeader: false },
    handler: (req, res) => {
      const lang = pending.get(String(req.params.uid ?? ''))?.lang ?? 'vi';
      res
        .status(429)
        .set('Retry-After', '60')
        .type('html')
        .send(errorPage(lang, 'too-many', home));
    },
  });
  const noStore = (res: Response) => res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });

  const show = async (req: Request, res: Response, message?: LoginMessage, retryAfterSeconds?: number) => {
    const details = await provider.interactionDetails(req, res);
    const uid = details.uid;
    const state = pending.get(uid) ?? { lang: langOf(details.params.ui_locales) ?? 'vi' };
    const base = `/oidc/interaction/${uid}`;
    const otherHref = `${base}?lang=${state.lang === 'vi' ? 'en' : 'vi'}`;
    noStore(res).type('html');
    if (state.accountId) {
      res.send(
        totpPage({
          lang: state.lang,
          action: `${base}/totp`,
          abort: `${base}/abort`,
          otherHref,
          account: state.accountId,
          ...(message ? { message } : {}),
          ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
        }),
      );
    } else {
      res.send(
        passwordPage({
          lang: state.lang,
          action: `${base}/login`,
          otherHref,
          ...(typeof req.body?.account === 'string' ? { account: req.body.account } : {}),
          ...(message ? { message } : {}),
          ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
        }),
      );
    }
  };

  /** A stale or foreign interaction cookie: say so plainly instead of a stack of errors. */
  const guarded =
    (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (error) {
        if (error instanceof SignInRefusedError || error instanceof AccountLockedError) throw error;
        const lang = pending.get(String(req.params.uid ?? ''))?.lang ?? langOf(req.query.lang) ?? 'vi';
        noStore(res)
          .status(400)
          .type('html')
          .send(errorPage(lang, (error as Error).name === 'SessionNotFound' ? 'expired' : 'failed', home));
      }
    };

  router.get(
    '/interaction/:uid',
    guarded(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      const lang = langOf(req.query.lang);
      const state = pending.get(details.uid) ?? { lang: langOf(details.params.ui_locales) ?? 'vi' };
      if (lang) state.lang = lang;
      remember(details.uid, state);
      await show(req, res);
    }),
  );

  router.post(
    '/interaction/:uid/login',
    limited,
    form,
    guarded(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      const state = pending.get(details.uid) ?? { lang: langOf(details.params.ui_locales) ?? 'vi' };
      const account = typeof req.body?.account === 'string' ? req.body.account.trim() : '';
      const password = typeof req.body?.password === 'string' ? req.body.password : '';
      try {
        await accounts.checkPassword(account, password);
      } catch (error) {
        remember(details.uid, { lang: state.lang });
        if (error instanceof AccountLockedError)
          return show(req, res.status(429), 'account-locked', error.retryAfterSeconds);
        if (error instanceof SignInRefusedError) return show(req, res.status(401), error.code);
        throw error;
      }
      remember(details.uid, { lang: state.lang, accountId: account });
      await show(req, res);
    }),
  );

  router.post(
    '/interaction/:uid/totp',
    limited,
    form,
    guarded(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      const state = pending.get(details.uid);
      if (!state?.accountId) return show(req, res.status(400), 'expired');
      const code = typeof req.body?.totp === 'string' ? req.body.totp.trim() : '';
      try {
        accounts.checkTotp(state.accountId, code);
      } catch (error) {
        if (error instanceof AccountLockedError) {
          remember(details.uid, { lang: state.lang });
          return show(req, res.status(429), 'account-locked', error.retryAfterSeconds);
        }
        if (error instanceof SignInRefusedError) return show(req, res.status(401), error.code);
        throw error;
      }
      pending.delete(details.uid);
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: state.accountId, amr: ['pwd', 'otp'] } },
        { mergeWithLastSubmission: false },
      );
    }),
  );

  router.post(
    '/interaction/:uid/abort',
    form,
    guarded(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      pending.delete(details.uid);
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'Sign-in cancelled' },
        { mergeWithLastSubmission: false },
      );
    }),
  );

  router.use(provider.callback());
  return { issuer: options.issuer, publicKey, router, provider };
}
