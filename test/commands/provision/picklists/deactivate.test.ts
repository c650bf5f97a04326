import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import PicklistsDeactivate, { type PicklistsDeactivateResult } from '../../../../src/commands/provision/picklists/deactivate.js';
import { ROOT, setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError, validateSourceDir } from '../../../helpers/plan.js';
import type { Seed } from '../../../emulator/seed.js';

type Entry = { isoCode: string; active: boolean; visible: boolean; integrationValue: string; states?: Entry[] };

const countries = (t: TestOrg): Entry[] =>
  (t.emu.components.get('AddressSettings')?.get('Address')?.content.countriesAndStates as { countries: Entry[] }).countries;
const countryOf = (t: TestOrg, iso: string): Entry => countries(t).find((c) => c.isoCode === iso)!;
const stateOf = (t: TestOrg, iso: string, state: string): Entry => countryOf(t, iso).states!.find((s) => s.isoCode === state)!;

/** The demo org (picklists on or off) with the United States as its default country. */
const seedWithDefault = (enabled: boolean): Seed => {
  const seed = JSON.parse(readFileSync(join(ROOT, 'test', 'emulator', 'seeds', 'demo.json'), 'utf8')) as Seed;
  seed.flags = { ...seed.flags, stateCountryPicklistsEnabled: enabled };
  seed.metadata = [
    ...(seed.metadata ?? []),
    {
      type: 'AddressSettings',
      fullName: 'Address',
      content: {
        countriesAndStates: {
          countries: [{ active: true, integrationValue: 'United States', isoCode: 'US', label: 'United States', orgDefault: true, standard: true, visible: true }],
        },
      },
    },
  ];
  return seed;
};

describe('sf provision picklists deactivate', function () {
  this.timeout(120_000);
  let t: TestOrg;

  afterEach(async () => {
    await t?.close();
  });

  describe('picklists off', () => {
    beforeEach(async () => {
      t = await setupTestOrg();
    });

    it('plans hiding and deactivating without changing the org under --dry-run', async () => {
      const before = orgFingerprint(t.emu);
      const { result, exitCode, output } = await runCommand(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'DE,fr', '--dry-run']);
      expect(exitCode).to.equal(0);
      expect(result).to.include({ dryRun: true, changed: true, picklistsEnabled: false });
      expect(result.changes).to.have.length(1);
      expect(result.changes[0]).to.deep.include({ resource: 'AddressSettings', name: 'Address', action: 'update', status: 'planned' });
      expect(result.changes[0].fields).to.deep.equal([
        { field: 'countries.DE.active', from: true, to: false },
        { field: 'countries.DE.visible', from: true, to: false },
        { field: 'countries.FR.active', from: true, to: false },
        { field: 'countries.FR.visible', from: true, to: false },
      ]);
      expect(result).to.deep.include({ hidden: ['DE', 'FR'], deactivated: ['DE', 'FR'], refused: [] });
      expect(output).to.contain('Dry run');
      expect(output).to.contain('Enable Picklists for Address Fields');
      expect(orgFingerprint(t.emu)).to.equal(before);
    });

    it('hides and deactivates countries and states; a second run changes nothing', async () => {
      const first = await runCommand(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'DE']);
      expect(first.exitCode).to.equal(0);
      expect(first.result.changes[0].status).to.equal('applied');
      expect(countryOf(t, 'DE')).to.include({ active: false, visible: false });
      expect(countryOf(t, 'FR')).to.include({ active: true, visible: true });

      const states = await runCommand(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'US', '--states', 'ca,NY']);
      expect(states.result.changes[0].fields.map((f) => f.field)).to.deep.equal([
        'countries.US.states.CA.active',
        'countries.US.states.CA.visible',
        'countries.US.states.NY.active',
        'countries.US.states.NY.visible',
      ]);
      expect(stateOf(t, 'US', 'CA')).to.include({ active: false, visible: false });
      expect(stateOf(t, 'US', 'TX')).to.include({ active: true, visible: true });
      // The country named only to place the bare state codes stays as it was.
      expect(countryOf(t, 'US')).to.include({ active: true, visible: true });

      const after = orgFingerprint(t.emu);
      const second = await runCommand(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'DE']);
      expect(second.result.changed).to.equal(false);
      expect(second.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
      expect(second.output).to.contain('No changes');
      const secondStates = await runCommand(PicklistsDeactivate, ['--target-org', 'emu', '--states', 'US-CA,US-NY']);
      expect(secondStates.result.changed).to.equal(false);
      expect(orgFingerprint(t.emu)).to.equal(after);
    });

    it('writes settings/Address.settings-meta.xml with only the changed countries, valid against the WSDL, and leaves the org alone', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'provision-out-'));
      try {
        const before = orgFingerprint(t.emu);
        const { result } = await runCommand(PicklistsDeactivate, ['--target-org', 'emu', '--states', 'US-CA', '--output-dir', dir]);
        expect(result.files).to.deep.equal([join('settings', 'Address.settings-meta.xml')]);
        expect(result.changes[0].status).to.equal('written');
        expect(orgFingerprint(t.emu)).to.equal(before);
        const xml = await readFile(join(dir, 'settings', 'Address.settings-meta.xml'), 'utf8');
        expect(xml).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<AddressSettings xmlns="http:\/\/soap.sforce.com\/2006\/04\/metadata">/);
        expect(xml.match(/<countries>/g)).to.have.length(1);
        expect(xml).to.contain('<isoCode>US</isoCode>');
        // The whole country: all 51 of its states, California hidden and inactive.
        expect(xml.match(/<states>/g)).to.have.length(51);
        expect(xml).to.match(/<states>\s*<active>false<\/active>\s*<integrationValue>California<\/integrationValue>\s*<isoCode>CA<\/isoCode>\s*<label>California<\/label>\s*<standard>true<\/standard>\s*<visible>false<\/visible>\s*<\/states>/);
        const { components, errors } = await validateSourceDir(dir);
        expect(errors).to.deep.equal([]);
        expect(components).to.deep.equal(['Settings:Address']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('declares --all exclusive with --countries and --states, and --keep as depending on --all (a clean --help usage line)', () => {
      const flags = PicklistsDeactivate.flags;
      expect(flags.all.exclusive).to.deep.equal(['countries', 'states']);
      expect(flags.countries.exclusive).to.equal(undefined);
      expect(flags.states.exclusive).to.equal(undefined);
      expect(flags.keep.dependsOn).to.deep.equal(['all']);
      // A default would count as given, and --keep would never need --all.
      expect(flags.all.default).to.equal(undefined);
    });

    it('explains what to name when nothing is selected, and --keep without --all', async () => {
      const none = await runCommandError(PicklistsDeactivate, ['--target-org', 'emu']);
      expect(none.message).to.equal('Name what to hide: --countries, --states or --all.');
      expect(none.actions?.join(' ')).to.contain('sf provision picklists status');
      const keep = await runCommandError(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'DE', '--keep', 'US']);
      expect(keep.message).to.contain('All of the following must be provided when using --keep: --all');
      const both = await runCommandError(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'DE', '--all']);
      expect(both.message).to.match(/cannot also be provided when using/);
      const state = await runCommandError(PicklistsDeactivate, ['--target-org', 'emu', '--states', 'CA']);
      expect(state.message).to.contain('The state code CA names no country');
      expect(state.actions?.join(' ')).to.contain('US-CA');
      // Without a default country, hiding every country is refused.
      const all = await runCommandError(PicklistsDeactivate, ['--target-org', 'emu', '--all']);
      expect(all.message).to.contain('would hide every visible country');
      expect(all.actions?.join(' ')).to.contain('--keep');
    });
  });

  describe('picklists on, the United States the org default', () => {
    beforeEach(async () => {
      t = await setupTestOrg({ seed: seedWithDefault(true) });
    });

    it('hides only, reports the refused deactivation with the Setup path, and a second run changes nothing', async () => {
      const first = await runCommand(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'DE', '--states', 'US-TX']);
      expect(first.exitCode).to.equal(0);
      expect(first.result.picklistsEnabled).to.equal(true);
      expect(first.result.changes[0].fields).to.deep.equal([{ field: 'countries.US.states.TX.visible', from: true, to: false }]);
      expect(stateOf(t, 'US', 'TX')).to.include({ active: true, visible: false });
      expect(countryOf(t, 'DE')).to.include({ active: true, visible: true });

      const countriesRun = await runCommand(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'DE']);
      expect(countriesRun.result.changes[0].status).to.equal('applied');
      expect(countryOf(t, 'DE')).to.include({ active: true, visible: false });
      expect(countriesRun.result.refused).to.have.length(1);
      expect(countriesRun.result.refused[0]).to.include({ value: 'DE', field: 'active' });
      expect(countriesRun.ux.warn.args.flat().join(' ')).to.contain("The Metadata API can't deactivate values once State and Country/Territory Picklists are enabled: 1 value(s) stay active (DE)");
      expect(countriesRun.result.setupSteps).to.have.length(2);
      expect(countriesRun.result.setupSteps[0]).to.contain('Configure States, Countries, and Territories');
      expect(countriesRun.result.setupSteps[1]).to.contain('turn State and Country/Territory picklists off');
      expect(countriesRun.output).to.contain('Quick Find');

      const after = orgFingerprint(t.emu);
      const second = await runCommand(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'DE']);
      expect(second.result.changed).to.equal(false);
      expect(second.result.refused.map((r) => r.value)).to.deep.equal(['DE']);
      expect(orgFingerprint(t.emu)).to.equal(after);
    });

    it('refuses to hide the org default country, with the fix', async () => {
      const before = orgFingerprint(t.emu);
      const e = await runCommandError(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'DE,US']);
      expect(e.message).to.equal("US is the org's default country, which must stay active and visible.");
      expect(e.actions?.join(' ')).to.contain('Default Country/Territory');
      expect(orgFingerprint(t.emu)).to.equal(before);
    });

    it('--all --keep hides every other country, keeps the default, summarises counts in a note', async () => {
      const { result, output } = await runCommand(PicklistsDeactivate, ['--target-org', 'emu', '--all', '--keep', 'CA']);
      expect(result.hidden).to.have.length(13);
      expect(result.hidden).not.to.include.members(['US', 'CA']);
      expect(result.refused).to.have.length(13);
      expect(output).to.contain('13 value(s) to hide; 13 that stay active');
      expect(result.changes[0].status).to.equal('applied');
      const visible = countries(t)
        .filter((c) => c.visible)
        .map((c) => c.isoCode);
      expect(visible).to.have.members(['CA', 'US']);
      expect(countries(t).every((c) => c.active)).to.equal(true);
    });

    it('runs as a subprocess with --json (bin/run.js)', async () => {
      const r = await t.runJson<PicklistsDeactivateResult>(['provision', 'picklists', 'deactivate', '--target-org', 'emu', '--states', 'CA-QC']);
      expect(r.code).to.equal(0);
      expect(r.json.result).to.deep.include({ changed: true, picklistsEnabled: true, hidden: ['CA-QC'] });
      expect(r.json.result.refused.map((x) => x.value)).to.deep.equal(['CA-QC']);
      expect(stateOf(t, 'CA', 'QC')).to.include({ active: true, visible: false });
      const err = await t.runJson(['provision', 'picklists', 'deactivate', '--target-org', 'emu', '--countries', 'US']);
      expect(err.code).to.equal(1);
      expect(err.json.name).to.equal('OrgDefaultCountryError');
    });
  });
});
