/*
 * The audit's outputs: human (grouped by severity, one line per finding with its fix), SARIF 2.1.0 (rules with help
 * and help URI; results located at the org metadata's source-format paths under force-app/main/default, relative to
 * the repository (%SRCROOT%, as GitHub code scanning resolves it), so a scan of a project repository points at the file), JUnit XML (one testcase per check, a failure per finding) and Markdown for a pull-request comment.
 * JSON is the command's --json envelope.
 */
import type { SfCommand } from '@salesforce/sf-plugins-core';
import { CHECKS } from '../provision/audit/checks.js';
import { HELP_URI, type Finding, type Severity } from '../provision/audit/model.js';
import type { AuditResult } from '../provision/audit/run.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', note: 'note' };

const fixOf = (f: Finding): string => f.fixCommand ?? (f.fixSetup ? `Setup: ${f.fixSetup}` : '');

export const displayAudit = (cmd: SfCommand<unknown>, r: AuditResult): void => {
  for (const severity of ['error', 'warning', 'note'] as const) {
    const list = r.findings.filter((f) => f.severity === severity);
    if (!list.length) continue;
    cmd.styledHeader(`${severity === 'error' ? 'Errors' : severity === 'warning' ? 'Warnings' : 'Notes'} (${list.length})`);
    for (const f of list) cmd.log(`${f.checkId}  ${f.message}\n        fix: ${fixOf(f)}`);
  }
  for (const [what, why] of Object.entries(r.unreadable)) cmd.warn(`Not audited: ${what} could not be read (${why}).`);
  cmd.log(`${r.checks.length} check(s), ${r.counts.error} error(s), ${r.counts.warning} warning(s), ${r.counts.note} note(s); ${r.apiCalls} API call(s).`);
};

export const toSarif = (r: AuditResult, toolVersion: string): Record<string, unknown> => ({
  $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
  version: '2.1.0',
  runs: [
    {
      tool: {
        driver: {
          name: 'sf provision audit',
          informationUri: HELP_URI,
          version: toolVersion,
          rules: CHECKS.filter((c) => r.checks.some((x) => x.id === c.id)).map((c) => ({
            id: c.id,
            name: c.title.replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').map((w) => w[0].toUpperCase() + w.slice(1)).join(''),
            shortDescription: { text: c.title },
            fullDescription: { text: c.help },
            help: { text: c.help, markdown: `${c.help}\n\nSee [${c.id}](${HELP_URI}).` },
            helpUri: HELP_URI,
            defaultConfiguration: { level: LEVEL[c.severity] },
          })),
        },
      },
      results: r.findings.map((f) => ({
        ruleId: f.checkId,
        level: LEVEL[f.severity],
        message: { text: `${f.message} Fix: ${fixOf(f)}` },
        locations: [
          f.location.path
            ? { physicalLocation: { artifactLocation: { uri: `force-app/main/default/${f.location.path}`, uriBaseId: '%SRCROOT%' } }, logicalLocations: [{ fullyQualifiedName: f.location.component }] }
            : { logicalLocations: [{ fullyQualifiedName: f.location.component }] },
        ],
        properties: { evidence: f.evidence },
      })),
    },
  ],
});

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const toJunit = (r: AuditResult): string => {
  const failures = r.findings.filter((f) => f.severity !== 'note').length;
  const cases = r.checks.map((c) => {
    const mine = r.findings.filter((f) => f.checkId === c.id && f.severity !== 'note');
    const body = mine.map((f) => `      <failure type="${f.severity}" message="${xml(f.message)}">${xml(`${f.location.component}: ${f.message}\nfix: ${fixOf(f)}`)}</failure>`).join('\n');
    return `    <testcase classname="provision.audit" name="${xml(`${c.id} ${c.title}`)}"${body ? `>\n${body}\n    </testcase>` : ' />'}`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sf provision audit" tests="${r.checks.length}" failures="${failures}">\n  <testsuite name="provision.audit" tests="${r.checks.length}" failures="${failures}" errors="0">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
};

export const toMarkdown = (r: AuditResult): string => {
  const lines = [`### sf provision audit: ${r.counts.error} error(s), ${r.counts.warning} warning(s), ${r.counts.note} note(s)`, ''];
  if (!r.findings.length) lines.push('No findings.');
  else {
    lines.push('| | check | finding | fix |', '| --- | --- | --- | --- |');
    const icon: Record<Severity, string> = { error: '❌', warning: '⚠️', note: 'ℹ️' };
    for (const f of r.findings) lines.push(`| ${icon[f.severity]} | ${f.checkId} | ${f.message.replace(/\|/g, '\\|')} | ${fixOf(f).replace(/\|/g, '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
};
