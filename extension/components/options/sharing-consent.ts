/**
 * Firefox asks users to consent before an extension sends data out of the browser. Joining a team sends the
 * user's annotations (quotes of pages) and name to the team's server, so the join form asks for that consent
 * first. Chrome has no such permission: there this resolves true at once. Call it first thing in the submit
 * handler: the prompt needs the user's gesture.
 */
import { browser } from 'wxt/browser';

export const SHARED_DATA = ['websiteContent', 'personallyIdentifyingInfo'] as const;

type DataCollectionPermissions = { request(permissions: { data_collection: readonly string[] }): Promise<boolean> };

export function requestSharingConsent(): Promise<boolean> {
  if (!import.meta.env.FIREFOX) return Promise.resolve(true);
  return (browser.permissions as unknown as DataCollectionPermissions)
    .request({ data_collection: SHARED_DATA })
    .catch(() => false);
}
