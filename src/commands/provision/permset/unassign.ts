import { SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { assignmentFlags, runAssignment, type PermsetAssignmentResult } from './assign.js';

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
    return runAssignment(this, messages, flags, 'unassigned');
  }
}
