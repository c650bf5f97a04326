/* The login page's pure planning: which AuthConfigProviders record to create or delete, and what the page shows after. */
import { expect } from 'chai';
import {
  findSamlSsoConfig,
  loginPageAfter,
  planLoginPageButton,
  planLoginPageProvider,
  providersAfter,
  type IdentityProviderRef,
  type LoginPageState,
} from '../../src/provision/resources/login-page.js';
import { sameId } from '../../src/provision/resources/values.js';

const okta: IdentityProviderRef & { id: string } = { id: '0LE5g00000000AbAAI', name: 'Okta', label: 'Okta Workforce', kind: 'SamlSsoConfig' };
const entra: IdentityProviderRef & { id: string } = { id: '0LE5g00000000AcAAI', name: 'Entra', label: 'Entra', kind: 'SamlSsoConfig' };
const google: IdentityProviderRef & { id: string } = { id: '0SO5g00000000AaAAI', name: 'Google', label: 'Google', kind: 'AuthProvider' };

const page = (providers: LoginPageState['providers'] = []): LoginPageState => ({
  authConfigId: '0Ax5g00000000AaAAI',
  developerName: 'My_Domain_Login',
  label: 'My Domain Login',
  url: 'https://acme.my.salesforce.com',
  loginForm: true,
  samlOption: false,
  providers,
});

describe('login page planning', () => {
  it('plans one AuthConfigProviders record for a button that is missing', () => {
    const [c, ...rest] = planLoginPageProvider(page([{ id: '0Ay5g00000000AaAAI', authProviderId: google.id }]), okta, true);
    expect(rest).to.deep.equal([]);
    expect(c).to.deep.include({ resource: 'AuthConfigProviders', name: 'Okta', action: 'create', status: 'planned' });
    expect(c.record).to.deep.equal({
      sobject: 'AuthConfigProviders',
      operation: 'create',
      values: { AuthConfigId: '0Ax5g00000000AaAAI', AuthProviderId: okta.id },
    });
    expect(c.fields).to.deep.equal([
      { field: 'AuthConfigId', to: '0Ax5g00000000AaAAI' },
      { field: 'AuthProviderId', to: okta.id },
    ]);
  });

  it('plans nothing when the button is there already (15- and 18-character ids match)', () => {
    const [c] = planLoginPageProvider(page([{ id: '0Ay5g00000000AaAAI', authProviderId: okta.id.slice(0, 15) }]), okta, true);
    expect(c).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
    expect(c.record).to.equal(undefined);
    expect(c.note).to.contain('already');
  });

  it('plans the delete of every record that shows the button, and nothing when none does', () => {
    const changes = planLoginPageProvider(
      page([
        { id: '0Ay5g00000000AaAAI', authProviderId: okta.id },
        { id: '0Ay5g00000000AbAAI', authProviderId: entra.id },
      ]),
      okta,
      false
    );
    expect(changes).to.have.length(1);
    expect(changes[0]).to.deep.include({ action: 'delete', status: 'planned' });
    expect(changes[0].record).to.deep.equal({ sobject: 'AuthConfigProviders', operation: 'delete', id: '0Ay5g00000000AaAAI' });

    const [none] = planLoginPageProvider(page([{ id: '0Ay5g00000000AbAAI', authProviderId: entra.id }]), okta, false);
    expect(none).to.deep.include({ action: 'none', status: 'unchanged' });
    expect(none.note).to.contain('not on the login page');
  });

  it('finds a SAML configuration by API name, else by a unique label, case-insensitively', () => {
    expect(findSamlSsoConfig([okta, entra], 'okta')).to.equal(okta);
    expect(findSamlSsoConfig([okta, entra], 'OKTA workforce')).to.equal(okta);
    expect(findSamlSsoConfig([okta, entra], 'Ping')).to.equal(undefined);
    const twin: IdentityProviderRef & { id: string } = { ...entra, id: '0LE5g00000000AdAAI', name: 'Entra2', label: 'Okta Workforce' };
    expect(findSamlSsoConfig([okta, twin], 'Okta Workforce')).to.equal(undefined);
  });

  it('names the buttons after applied and planned changes, not after failed ones', () => {
    const p = page([{ id: '0Ay5g00000000AaAAI', authProviderId: google.id }, { id: '0Ay5g00000000AbAAI', authProviderId: '0SO5g00000000ZzAAI' }]);
    const known = [okta, entra, google];
    expect(providersAfter(p, [{ action: 'create', status: 'applied', name: 'Okta' }], known)).to.deep.equal(['0SO5g00000000ZzAAI', 'Google', 'Okta']);
    expect(providersAfter(p, [{ action: 'create', status: 'failed', name: 'Okta' }], known)).to.deep.equal(['0SO5g00000000ZzAAI', 'Google']);
    expect(providersAfter(p, [{ action: 'delete', status: 'planned', name: 'Google' }], known)).to.deep.equal(['0SO5g00000000ZzAAI']);
  });

  it('compares ids on their 15-character form', () => {
    expect(sameId('0LE5g00000000AbAAI', '0LE5g00000000Ab')).to.equal(true);
    expect(sameId('0LE5g00000000AbAAI', '0LE5g00000000ab')).to.equal(false);
    expect(sameId(undefined, '0LE5g00000000Ab')).to.equal(false);
  });

  it('plans a button from the page context, or names the problem for the command to explain', () => {
    const ctx = { page: page(), configs: [okta, entra], authProviders: [google], samlEnabled: false };
    expect(planLoginPageButton({ ...ctx, page: undefined }, 'Okta', true)).to.deep.equal({ problem: 'NoLoginPage', values: [] });
    expect(planLoginPageButton({ ...ctx, configs: [] }, 'Okta', true)).to.deep.equal({ problem: 'NoSsoConfigs', values: ['Okta'] });
    expect(planLoginPageButton(ctx, 'Ping', true)).to.deep.equal({ problem: 'UnknownSso', values: ['Ping', 'Okta (Okta Workforce), Entra'] });

    const plan = planLoginPageButton(ctx, 'okta workforce', true);
    if ('problem' in plan) expect.fail(plan.problem);
    expect(plan.target).to.equal(okta);
    expect(plan.changes.map((c) => c.action)).to.deep.equal(['create']);
    expect(loginPageAfter(ctx, plan.page, [{ ...plan.changes[0], status: 'planned' }])).to.deep.equal({
      name: 'My_Domain_Login',
      url: 'https://acme.my.salesforce.com',
      loginForm: true,
      samlEnabled: false,
      providers: ['Okta'],
    });
  });
});
