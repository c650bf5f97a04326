/*
 * A browser, as far as the web-server flow needs one: GET the authorize URL, fill in the login form, press Allow or
 * Deny on the consent page, and report where Salesforce (the emulator) redirects to. Forms are read from the HTML the
 * emulator serves (action, method, hidden inputs), the way a browser submits them.
 */

export type Form = { action: string; method: string; fields: Record<string, string> };

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag);
  return m ? m[1].replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&') : undefined;
};

/** The first form of a page: its action (absolute), method and hidden fields. */
export const formOf = (html: string, pageUrl: string): Form | undefined => {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const fields: Record<string, string> = {};
  for (const input of form[1].match(/<input\b[^>]*>/gi) ?? []) {
    if ((attr(input, 'type') ?? '').toLowerCase() === 'hidden') fields[attr(input, 'name') ?? ''] = attr(input, 'value') ?? '';
  }
  return { action: new URL(attr(form[0], 'action') ?? pageUrl, pageUrl).toString(), method: (attr(form[0], 'method') ?? 'GET').toUpperCase(), fields };
};

/** What a step of the flow ended on: a page (status and HTML) or a redirect (its Location). */
export type Step = { status: number; url: string; html: string; location?: string };

const submit = async (form: Form, extra: Record<string, string>): Promise<Step> => {
  const res = await fetch(form.action, {
    method: form.method,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, ...extra }),
    redirect: 'manual',
  });
  return { status: res.status, url: form.action, html: await res.text(), location: res.headers.get('location') ?? undefined };
};

export const open = async (url: string): Promise<Step> => {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, url, html: await res.text(), location: res.headers.get('location') ?? undefined };
};

/**
 * Logs in on the authorize page and answers the consent page (when there is one). Returns the last step: a redirect
 * to the client's redirect_uri (code or error), the login page again (wrong password), or an error page.
 */
export const authorizeInBrowser = async (authorizeUrl: string, opts: { username: string; password: string; decision?: 'allow' | 'deny' }): Promise<Step> => {
  const first = await open(authorizeUrl);
  const login = first.status === 200 ? formOf(first.html, authorizeUrl) : undefined;
  if (!login) return first;
  const afterLogin = await submit(login, { username: opts.username, pw: opts.password });
  if (afterLogin.status !== 200 || !afterLogin.html.includes('name="step" value="consent"')) return afterLogin;
  const consent = formOf(afterLogin.html, login.action)!;
  return submit(consent, { decision: opts.decision ?? 'allow' });
};
