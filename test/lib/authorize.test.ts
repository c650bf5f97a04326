/* eslint-disable camelcase */
/*
 * The web-server flow's library (src/provision/authorize.ts) in-process: the authorize URL and PKCE pair, the
 * classification of its failures, and the callback server's timeout and state check (no org needed).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Duration } from '@salesforce/kit';
import { authorizeError, authorizeUrl, authorizeWebServer, pkcePair, redirectUriFor } from '../../src/provision/authorize.js';
import { freePort } from '../helpers/harness.js';

describe('authorize (web-server flow library)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authorize-lib-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('PKCE pair: a 43-character verifier without "~" and its S256 challenge; the authorize URL carries them with the state', () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).to.equal(createHash('sha256').update(verifier).digest('base64url'));
    const url = new URL(authorizeUrl('https://acme.my.salesforce.com', { clientId: 'cid', redirectUri: redirectUriFor(1717), scopes: ['api', 'refresh_token'], state: 'st', challenge }));
    expect(url.pathname).to.equal('/services/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).to.include({
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: 'http://localhost:1717/OauthRedirect',
      scope: 'api refresh_token',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
  });

  it('classifies the flow\'s failures with their fixes, secrets scrubbed', () => {
    const ctx = { clientId: 'cid', domain: 'https://acme.my.salesforce.com', redirectUri: 'http://localhost:1717/OauthRedirect', hadSecret: true, secrets: ['SECRET-VALUE'] };
    const mismatch = authorizeError({ error: 'redirect_uri_mismatch', error_description: 'redirect_uri must match configuration' }, ctx);
    expect(mismatch.name).to.equal('RedirectUriMismatch');
    expect(mismatch.actions?.join('\n')).to.contain('--callback-url http://localhost:1717/OauthRedirect');
    expect(authorizeError({ error: 'invalid_grant', error_description: 'invalid code verifier' }, ctx).name).to.equal('PkceFailed');
    expect(authorizeError({ error: 'invalid_grant', error_description: 'expired authorization code' }, ctx).name).to.equal('InvalidCode');
    expect(authorizeError({ error: 'access_denied', error_description: 'end-user denied authorization' }, ctx).name).to.equal('AccessDenied');
    expect(authorizeError({ error: 'invalid_client', error_description: 'invalid client credentials' }, ctx).name).to.equal('InvalidClientSecret');
    expect(authorizeError({ error: 'invalid_client', error_description: 'invalid client credentials' }, { ...ctx, hadSecret: false }).name).to.equal('SecretRequired');
    expect(authorizeError({ error: 'invalid_client_id', error_description: 'client identifier invalid' }, ctx).name).to.equal('InvalidClientId');
    expect(authorizeError({ error: 'invalid_app_access', error_description: 'user is not admin approved to access this app' }, ctx).name).to.equal('NotPreAuthorized');
    const leaky = authorizeError({ error: 'invalid_grant', error_description: 'invalid code verifier SECRET-VALUE' }, ctx);
    expect(JSON.stringify({ m: leaky.message, a: leaky.actions, d: leaky.data })).to.not.contain('SECRET-VALUE');
  });

  it('times out with the causes the browser may have shown (redirect_uri_mismatch, invalid_client_id)', async () => {
    const port = await freePort();
    let shown = '';
    const err = await authorizeWebServer({
      domain: 'http://127.0.0.1:9',
      clientId: 'cid',
      scopes: ['api', 'refresh_token'],
      port,
      timeout: Duration.milliseconds(300),
      outputFile: join(dir, 'timeout.json'),
      onUrl: (url) => {
        shown = url;
      },
    }).then(
      () => expect.fail('a timeout was expected'),
      (e: Error & { actions?: string[] }) => e
    );
    expect(shown).to.contain('/services/oauth2/authorize?');
    expect(err.name).to.equal('TimeoutError');
    expect(err.actions?.join('\n')).to.contain(`redirect_uri_mismatch", add http://localhost:${port}/OauthRedirect`);
    expect(err.actions?.join('\n')).to.contain('invalid_client_id');
    // The callback server is closed again.
    const again = createServer();
    await new Promise<void>((resolve, reject) => again.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => again.close(resolve));
  });

  it('ignores a callback whose state it did not send', async () => {
    const port = await freePort();
    let status = 0;
    const err = await authorizeWebServer({
      domain: 'http://127.0.0.1:9',
      clientId: 'cid',
      scopes: ['api'],
      port,
      timeout: Duration.seconds(30),
      outputFile: join(dir, 'state.json'),
      onUrl: async () => {
        const res = await fetch(`http://127.0.0.1:${port}/OauthRedirect?code=stolen&state=forged`);
        status = res.status;
        await res.text();
      },
    }).then(
      () => expect.fail('an error was expected'),
      (e: Error) => e
    );
    expect(status).to.equal(400);
    expect(err.name).to.equal('StateMismatchError');
  });
});
