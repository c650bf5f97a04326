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

  it('reads a users file as lines or as a CSV with a Username column', () => {
    expect(parseUsersFile('a@x.com\n\n# comment\nb@x.com\r\n')).to.deep.equal(['a@x.com', 'b@x.com']);
    expect(parseUsersFile('Name,Username\nAda,"a@x.com"\nBob,b@x.com\n')).to.deep.equal(['a@x.com', 'b@x.com']);
  });
});
