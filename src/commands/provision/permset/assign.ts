import { SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { applyAssignmentRun, assignmentFlags, planAssignmentRun, reportAssignments, usernamesOf, type PermsetAssignmentResult } from '../../../provision/assignments.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.permset.assign');

export type { PermsetAssignmentResult, UserOutcome } from '../../../provision/assignments.js';

export default class PermsetAssign extends SfCommand<PermsetAssignmentResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = assignmentFlags;

  public async run(): Promise<PermsetAssignmentResult> {
    const { flags } = await this.parse(PermsetAssign);
    const usernames = await usernamesOf(messages, flags);
    const plan = await planAssignmentRun(this, messages, flags, usernames, 'assigned');
    const changes = await applyAssignmentRun(this, plan, flags['dry-run']);
    return reportAssignments(this, messages, plan, changes, flags['dry-run']);
  }
}
