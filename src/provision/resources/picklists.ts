/* State and Country/Territory picklists: enabled when address fields have their StateCode/CountryCode companions. */
import type { OrgClient } from '../client.js';

export type PicklistsState = { enabled: boolean };

export const readPicklistsEnabled = async (client: OrgClient): Promise<PicklistsState> => {
  const user = await client.describe('User');
  return { enabled: user.fields.some((f) => f.name === 'CountryCode') };
};
