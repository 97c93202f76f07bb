/** Helpers for the store and sync end-to-end tests: talk to a profile's background as the UI does. */
import type { Page } from 'playwright-core';
import type { Annotation, DocumentInfo } from '../../shared/model/annotation.ts';
import type { RequestInput } from '../../extension/lib/messages.ts';
import { extensionPage, type Profile } from './harness.ts';

const helperPages = new WeakMap<Profile, Page>();

async function helperPage(profile: Profile): Promise<Page> {
  let page = helperPages.get(profile);
  if (!page || page.isClosed()) {
    page = await profile.context.newPage();
    await page.goto(extensionPage(profile, 'options.html'));
    helperPages.set(profile, page);
  }
  return page;
}

/** Sends a request to a profile's background from one of its extension pages and unwraps the answer. */
export async function ask<T>(profile: Profile, request: RequestInput): Promise<T> {
  const page = await helperPage(profile);
  const response = await page.evaluate(
    (message) =>
      (
        globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }
      ).chrome.runtime.sendMessage(message),
    request,
  );
  const answer = response as { ok: boolean; value?: T; error?: string };
  if (!answer?.ok) throw new Error(`${request.type} failed: ${JSON.stringify(answer?.error ?? 'no answer')}`);
  return answer.value as T;
}

/** Reads the annotations table straight from IndexedDB in an extension page, without waking the background. */
export async function storedAnnotations(profile: Profile): Promise<Annotation[]> {
  const page = await helperPage(profile);
  return page.evaluate(
    () =>
      new Promise<Annotation[]>((done, fail) => {
        const open = indexedDB.open('pizhu');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('annotations').objectStore('annotations').getAll();
          request.onsuccess = () => {
            open.result.close();
            done(request.result as Annotation[]);
          };
          request.onerror = () => fail(request.error);
        };
      }),
  );
}

export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const list = (profile: Profile, documentKey: string) =>
  ask<Annotation[]>(profile, { type: 'annotations.list', documentKey });

export const byId = (annotations: Annotation[]) => new Map(annotations.map((x) => [x.id, x]));

export function create(profile: Profile, document: DocumentInfo, quote: string, extra: Record<string, unknown> = {}) {
  return ask<Annotation>(profile, {
    type: 'annotation.create',
    document,
    annotation: {
      documentKey: document.key,
      selectors: [{ type: 'TextQuoteSelector', exact: quote }],
      clausePath: ['二、', '8.'],
      quote,
      ...extra,
    },
  });
}

export async function openPage(profile: Profile, url: string): Promise<Page> {
  const page = await profile.context.newPage();
  await page.goto(url);
  await page.waitForSelector('pizhu-ui', { state: 'attached', timeout: 15_000 });
  return page;
}

/** Stops the profile's service worker as the browser does when it is idle (DevTools protocol). */
export async function stopServiceWorker(profile: Profile): Promise<void> {
  const page = await helperPage(profile);
  const session = await profile.context.newCDPSession(page);
  const statuses: string[] = [];
  session.on('ServiceWorker.workerVersionUpdated', (event) => {
    for (const version of event.versions) statuses.push(version.runningStatus);
  });
  await session.send('ServiceWorker.enable');
  await session.send('ServiceWorker.stopAllWorkers');
  const deadline = Date.now() + 10_000;
  while (!statuses.includes('stopped')) {
    if (Date.now() > deadline) throw new Error(`The service worker did not stop (${statuses.join(', ')})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await session.detach();
}

/** The catch-up alarm as the browser holds it (read from an extension page). */
export async function catchUpAlarm(
  profile: Profile,
): Promise<{ scheduledTime: number; periodInMinutes?: number } | null> {
  const page = await helperPage(profile);
  return page.evaluate(async () => {
    const api = (globalThis as unknown as { chrome: { alarms: { get(name: string): Promise<unknown> } } }).chrome;
    return ((await api.alarms.get('pizhu-catch-up')) ?? null) as {
      scheduledTime: number;
      periodInMinutes?: number;
    } | null;
  });
}
