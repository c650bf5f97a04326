import { expect } from 'chai';
import { parseUsersFile, planAssignments, type AssignmentTarget } from '../../src/provision/resources/permset-assignment.js';

const target: AssignmentTarget = { kind: 'PermissionSet', id: '0PS000000000001AAA', name: 'Lead_Sync', label: 'Lead Sync' };
const ada = { id: '005000000000001AAA', username: 'ada@x.com', isActive: true };
const bob = { id: '005000000000002AAA', username: 'bob@x.com', isActive: true };
const cal = { id: '005000000000003AAA', username: 'cal@x.com', isActive: false };

describe('permission set assignment plans', () => {
  it('assigns the missing, leaves the assigned, and fails unknown and inactive users in the plan', () => {
    const changes = planAssignments(new Map([[bob.id, '0Pa000000000001AAA']]), { found: [ada, bob, cal], unknown: ['nobody@x.com'] }, target, 'assigned');
    expect(changes.map((c) => [c.name, c.action, c.status, c.error?.code])).to.deep.equal([
      ['nobody@x.com', 'create', 'failed', 'USER_NOT_FOUND'],
      ['ada@x.com', 'create', 'planned', undefined],
      ['bob@x.com', 'none', 'unchanged', undefined],
      ['cal@x.com', 'create', 'failed', 'INACTIVE_USER'],
    ]);
    expect(changes[1].record).to.deep.equal({ sobject: 'PermissionSetAssignment', operation: 'create', values: { AssigneeId: ada.id, PermissionSetId: target.id } });
    const group = planAssignments(new Map(), { found: [ada], unknown: [] }, { ...target, kind: 'PermissionSetGroup', id: '0PG000000000001AAA' }, 'assigned');
    expect(group[0].record?.values).to.deep.equal({ AssigneeId: ada.id, PermissionSetGroupId: '0PG000000000001AAA' });
  });

  it('unassigns only existing assignments (inactive users too)', () => {
    const changes = planAssignments(new Map([[cal.id, '0Pa000000000009AAA']]), { found: [ada, cal], unknown: [] }, target, 'unassigned');
    expect(changes.map((c) => [c.name, c.action, c.status])).to.deep.equal([
      ['ada@x.com', 'none', 'unchanged'],
      ['cal@x.com', 'delete', 'planned'],
    ]);
    expect(changes[1].record).to.deep.equal({ sobject: 'PermissionSetAssignment', operation: 'delete', id: '0Pa000000000009AAA' });
  });

  it('assigns the permission set licences a user lacks first: the integration PSL for integration-licence users, the target\'s own PSL', () => {
    const integrationPsl = { id: '0PL000000000001AAA', name: 'SalesforceAPIIntegrationPsl', label: 'Salesforce API Integration' };
    const otherPsl = { id: '0PL000000000002AAA', name: 'SalesUserPsl', label: 'Sales User' };
    const ivy = { id: '005000000000004AAA', username: 'ivy@x.com', isActive: true, licenseId: '100000000000001AAA' };
    const ian = { id: '005000000000005AAA', username: 'ian@x.com', isActive: true, licenseId: '100000000000001AAA' };
    const licences = { held: new Map([[ian.id, new Set([integrationPsl.id])]]), integrationPsl, integrationUserLicenceId: '100000000000001AAA' };
    const changes = planAssignments(new Map(), { found: [ada, ivy, ian], unknown: [] }, target, 'assigned', licences);
    expect(changes.map((c) => [c.resource, c.name, c.action])).to.deep.equal([
      ['PermissionSetAssignment', 'ada@x.com', 'create'],
      ['PermissionSetLicenseAssign', 'ivy@x.com', 'create'],
      ['PermissionSetAssignment', 'ivy@x.com', 'create'],
      ['PermissionSetAssignment', 'ian@x.com', 'create'],
    ]);
    expect(changes[1].record).to.deep.equal({ sobject: 'PermissionSetLicenseAssign', operation: 'create', values: { AssigneeId: ivy.id, PermissionSetLicenseId: integrationPsl.id } });
    expect(changes[1].note).to.match(/Salesforce API Integration assigned first/);

    const tied = planAssignments(new Map(), { found: [ada, ian], unknown: [] }, { ...target, licenseId: otherPsl.id }, 'assigned', { ...licences, targetPsl: otherPsl });
    expect(tied.map((c) => [c.resource, c.name, c.fields[0]?.to])).to.deep.equal([
      ['PermissionSetLicenseAssign', 'ada@x.com', 'Sales User'],
      ['PermissionSetAssignment', 'ada@x.com', 'Lead_Sync'],
      ['PermissionSetLicenseAssign', 'ian@x.com', 'Sales User'],
      ['PermissionSetAssignment', 'ian@x.com', 'Lead_Sync'],
    ]);
    // Unassigning never touches licences; an existing assignment needs none.
    expect(planAssignments(new Map([[ivy.id, '0Pa000000000002AAA']]), { found: [ivy], unknown: [] }, target, 'assigned', licences).map((c) => c.resource)).to.deep.equal(['PermissionSetAssignment']);
  });

  it('reads a users file as lines or as a CSV with a Username column', () => {
    expect(parseUsersFile('a@x.com\n\n# comment\nb@x.com\r\n')).to.deep.equal(['a@x.com', 'b@x.com']);
    expect(parseUsersFile('Name,Username\nAda,"a@x.com"\nBob,b@x.com\n')).to.deep.equal(['a@x.com', 'b@x.com']);
  });
});
