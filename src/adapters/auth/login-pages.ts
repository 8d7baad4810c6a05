/**
 * The embedded provider's own pages: the password step, the one-time code step and the error page. Server-rendered
 * HTML with no script (the node's Content-Security-Policy allows none inline), Vietnamese by default and English when
 * the web app asked for it (`ui_locales=en`) or the reader chose it on the page.
 */
export type LoginLang = 'vi' | 'en';

const TEXT = {
  vi: {
    title: 'Đăng nhập — Trung tâm dữ liệu giao thông',
    heading: 'Đăng nhập',
    account: 'Tài khoản',
    password: 'Mật khẩu',
    next: 'Tiếp tục',
    totpHeading: 'Mã xác thực hai lớp',
    totpHelp: 'Nhập mã 6 chữ số đang hiển thị trong ứng dụng xác thực (TOTP) của bạn.',
    totp: 'Mã một lần',
    signIn: 'Đăng nhập',
    cancel: 'Hủy',
    other: 'English',
    'bad-credentials': 'Sai tài khoản hoặc mật khẩu.',
    'bad-totp': 'Mã một lần không đúng. Hãy nhập mã đang hiển thị.',
    'totp-replayed': 'Mã này đã được dùng. Hãy chờ mã mới rồi nhập lại.',
    'account-locked': 'Tài khoản tạm khóa do nhập sai quá nhiều lần. Thử lại sau {n} giây.',
    'too-many': 'Quá nhiều lần thử từ máy này. Thử lại sau một phút.',
    expired: 'Phiên đăng nhập đã hết hạn. Hãy quay lại ứng dụng và đăng nhập lại.',
    failed: 'Yêu cầu đăng nhập không hợp lệ. Hãy quay lại ứng dụng và đăng nhập lại.',
    back: 'Về ứng dụng',
    errorHeading: 'Không đăng nhập được',
    signedInAs: 'Tài khoản',
  },
  en: {
    title: 'Sign in — Traffic data center',
    heading: 'Sign in',
    account: 'Account',
    password: 'Password',
    next: 'Continue',
    totpHeading: 'Two-factor code',
    totpHelp: 'Enter the 6-digit code your authenticator app (TOTP) shows now.',
    totp: 'One-time code',
    signIn: 'Sign in',
    cancel: 'Cancel',
    other: 'Tiếng Việt',
    'bad-credentials': 'Wrong account or password.',
    'bad-totp': 'Wrong one-time code. Enter the code shown now.',
    'totp-replayed': 'This code was already used. Wait for the next code and enter it.',
    'account-locked': 'The account is locked after too many failed attempts. Try again in {n} seconds.',
    'too-many': 'Too many attempts from this computer. Try again in a minute.',
    expired: 'The sign-in has expired. Go back to the application and sign in again.',
    failed: 'The sign-in request is not valid. Go back to the application and sign in again.',
    back: 'Back to the application',
    errorHeading: 'Could not sign in',
    signedInAs: 'Account',
  },
} as const;

export type LoginMessage =
  'bad-credentials' | 'bad-totp' | 'totp-replayed' | 'account-locked' | 'too-many' | 'expired' | 'failed';

function esc(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const STYLE = `body{font-family:system-ui,"Segoe UI",Roboto,Arial,sans-serif;background:#f3f5f8;color:#1b1f24;margin:0}
main{max-width:24rem;margin:3rem auto;background:#fff;border:1px solid #c9d1db;border-radius:8px;padding:1.5rem}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;font-size:1.1rem;padding:.5rem;border:1px solid #5f6b7a;border-radius:4px}
button{margin-top:1rem;font-size:1rem;padding:.55rem 1.2rem;background:#0b4f9c;color:#fff;border:0;border-radius:4px;cursor:pointer}
button.secondary{background:#fff;color:#0b4f9c;border:1px solid #0b4f9c;margin-left:.5rem}
:focus-visible{outline:3px solid #f2a900;outline-offset:2px}.error{color:#a0001c;background:#fdecee;border:1px solid #a0001c;padding:.5rem;border-radius:4px}
.help{color:#3d4753}.lang{float:right;font-size:.9rem;color:#0b4f9c}p.brand{color:#3d4753;margin:0 0 .5rem}`;

function page(lang: LoginLang, title: string, body: string, otherHref: string | undefined): string {
  const t = TEXT[lang];
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(t.title)}</title><style>${STYLE}</style></head><body><main>
${otherHref ? `<a class="lang" href="${esc(otherHref)}" lang="${lang === 'vi' ? 'en' : 'vi'}">${esc(t.other)}</a>` : ''}
<p class="brand">${esc(TEXT[lang].title.split('—')[1]!.trim())}</p><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

function messageText(lang: LoginLang, message: LoginMessage | undefined, retryAfterSeconds?: number): string {
  if (!message) return '';
  const text = TEXT[lang][message].replace('{n}', String(retryAfterSeconds ?? 60));
  return `<p class="error" role="alert" data-testid="login-error" data-code="${message}">${esc(text)}</p>`;
}

export function passwordPage(input: {
  lang: LoginLang;
  action: string;
  otherHref: string;
  account?: string;
  message?: LoginMessage;
  retryAfterSeconds?: number;
}): string {
  const t = TEXT[input.lang];
  return page(
    input.lang,
    t.heading,
    `${messageText(input.lang, input.message, input.retryAfterSeconds)}
<form method="post" action="${esc(input.action)}" autocomplete="on">
<label for="account">${esc(t.account)}</label><input id="account" name="account" autocomplete="username" required maxlength="64" value="${esc(input.account ?? '')}" ${input.account ? '' : 'autofocus'}>
<label for="password">${esc(t.password)}</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256" ${input.account ? 'autofocus' : ''}>
<button type="submit">${esc(t.next)}</button>
</form>`,
    input.otherHref,
  );
}

export function totpPage(input: {
  lang: LoginLang;
  action: string;
  abort: string;
  otherHref: string;
  account: string;
  message?: LoginMessage;
  retryAfterSeconds?: number;
}): string {
  const t = TEXT[input.lang];
  return page(
    input.lang,
    t.totpHeading,
    `${messageText(input.lang, input.message, input.retryAfterSeconds)}
<p>${esc(t.signedInAs)}: <strong>${esc(input.account)}</strong></p><p class="help" id="totp-help">${esc(t.totpHelp)}</p>
<form method="post" action="${esc(input.action)}">
<label for="totp">${esc(t.totp)}</label><input id="totp" name="totp" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required autofocus aria-describedby="totp-help">
<button type="submit">${esc(t.signIn)}</button>
</form>
<form method="post" action="${esc(input.abort)}"><button type="submit" class="secondary">${esc(t.cancel)}</button></form>`,
    input.otherHref,
  );
}

export function errorPage(lang: LoginLang, message: LoginMessage, home: string): string {
  const t = TEXT[lang];
  return page(
    lang,
    t.errorHeading,
    `${messageText(lang, message)}<p><a href="${esc(home)}">${esc(t.back)}</a></p>`,
    undefined,
  );
}
