/*
 * A small REST client of the emulated org for emulator tests that act as several users: tokens per user, calls
 * answered as {status, body} (JSON, or the raw text of CSV answers), and the assertions every such test repeats.
 */
import { expect } from 'chai';
import type { OrgEmulator } from './server.js';

export type Json = Record<string, unknown>;
export type Answer = { status: number; body: unknown };

export type RestClient = {
  userId: (username: string) => string;
  /** An API token of the user (what an OAuth flow would have issued). */
  tokenOf: (username: string) => string;
  call: (token: string, method: string, path: string, body?: unknown) => Promise<Answer>;
  /** A call with the admin's token. */
  admin: (method: string, path: string, body?: unknown) => Promise<Answer>;
  /** The path of a SOQL query. */
  q: (soql: string) => string;
  /** The first error of a REST error answer. */
  error: (a: Answer) => Json;
  /** The id of a record the call created (201), failing the test otherwise. */
  created: (a: Promise<Answer>) => Promise<string>;
};

/** The client of whichever emulator `emu()` returns now (tests start it in a before hook). */
export const restClient = (emu: () => OrgEmulator, apiVersion = '66.0'): RestClient => {
  const userId = (username: string): string => emu().store.find('User', (u) => u.Username === username)!.Id;
  const call = async (token: string, method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${emu().instanceUrl}/services/data/v${apiVersion}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // CSV results
    }
    return { status: res.status, body: parsed };
  };
  return {
    userId,
    tokenOf: (username) => emu().oauth.issueToken(userId(username), ['api']).token,
    call,
    admin: (method, path, body) => call(emu().accessToken, method, path, body),
    q: (soql) => `/query?q=${encodeURIComponent(soql)}`,
    error: (a) => (a.body as Json[])[0],
    created: async (a) => {
      const r = await a;
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      return (r.body as { id: string }).id;
    },
  };
};
