/*
 * Access to the SAML fixtures (test/fixtures/saml) for the tests in this folder: file contents, and the expected
 * certificate fingerprints by role that generate.ts wrote to expected.json.
 */
import { readFileSync } from 'node:fs';

const DIR = new URL('../../fixtures/saml/', import.meta.url);

export type CertRole =
  | 'jumpcloud'
  | 'okta'
  | 'entraExpired'
  | 'entraSoon'
  | 'entraLater'
  | 'entraMetadataSigner'
  | 'entraWsFed'
  | 'adfsSigning'
  | 'adfsEncryption'
  | 'adfsMetadataSigner'
  | 'pingone'
  | 'pingoneNext'
  | 'keycloak'
  | 'expiredA'
  | 'expiredB'
  | 'idpCert'
  | 'idpCertRotated'
  | 'spSigning';

type Expected = Record<CertRole, { subject: string; notBefore: string; notAfter: string; sha256Fingerprint: string }>;

export const fixture = (name: string): Buffer => readFileSync(new URL(name, DIR));
export const fixtureText = (name: string): string => fixture(name).toString('utf8');

const expected = JSON.parse(fixtureText('expected.json')) as Expected;

/** The SHA-256 fingerprint ("AB:CD:…") of the certificate generated for a role. */
export const fp = (role: CertRole): string => expected[role].sha256Fingerprint;

/** The moment the tests judge certificates at; the fixture choices hold for any date from 2026-11 to 2027-05. */
export const NOW = new Date('2026-11-22T12:00:00Z');

export const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
export const DS = 'http://www.w3.org/2000/09/xmldsig#';
