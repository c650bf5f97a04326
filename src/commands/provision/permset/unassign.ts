import { SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { applyAssignmentRun, assignmentFlags, planAssignmentRun, reportAssignments, usernamesOf, type PermsetAssignmentResult } from '../../../provision/assignments.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.permset.unassign');

export type PermsetUnassignResult = PermsetAssignmentResult;

export default class PermsetUnassign extends SfCommand<PermsetUnassignResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = assignmentFlags;

  public async run(): Promise<PermsetUnassignResult> {
    const { flags } = await this.parse(PermsetUnassign);
    const usernames = await usernamesOf(messages, flags);
    const plan = await planAssignmentRun(this, messages, flags, usernames, 'unassigned');
    const changes = await applyAssignmentRun(this, plan, flags['dry-run']);
    return reportAssignments(this, messages, plan, changes, flags['dry-run']);
  }
}
