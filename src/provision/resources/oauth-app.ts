/* OAuth apps of the org: External Client Apps (the default since Spring '26) and connected apps. */
import type { OrgClient } from '../client.js';

export type OAuthAppType = 'ExternalClientApplication' | 'ConnectedApp';

export type OAuthAppSummary = {
  name: string;
  type: OAuthAppType;
};

export const readOAuthApps = async (client: OrgClient): Promise<OAuthAppSummary[]> => {
  const props = await client.listMetadata(['ExternalClientApplication', 'ConnectedApp']);
  return props
    .filter((p) => p.type === 'ExternalClientApplication' || p.type === 'ConnectedApp')
    .map((p) => ({ name: p.fullName, type: p.type as OAuthAppType }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
};
