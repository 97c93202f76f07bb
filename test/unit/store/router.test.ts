/**
 * The background's front door: every message is validated before it reaches the service, and refused with a
 * readable error otherwise; the service's own refusals come back as errors, never as thrown exceptions.
 */
import { describe, expect, it } from 'vitest';
import { handleRequest } from '../../../extension/lib/background/router.ts';
import { Background } from '../../../extension/lib/background/root.ts';
import type { PagePortOut } from '../../../extension/lib/messages.ts';
import { documentInfo, freshDatabase } from './fixtures.ts';

const newAnnotation = {
  documentKey: 'doc1',
  selectors: [{ type: 'TextQuoteSelector', exact: '促进学生身心健康全面发展' }],
  clausePath: ['二、', '8.'],
  quote: '促进学生身心健康全面发展',
  tags: ['ＰＰＰ 项目'],
  note: '<script>alert(1)</script>',
};

describe('handleRequest', () => {
  it('refuses malformed requests with a readable error and changes nothing', async () => {
    const db = freshDatabase();
    const service = new Background(db);
    for (const bad of [
      null,
      'hello',
      { type: 'no.such' },
      // names every object has: the handler table is never indexed by them
      { type: 'toString' },
      { type: '__proto__' },
      { type: 'constructor' },
      { type: 'annotation.delete', id: 42 },
      { type: 'tags.rename', from: ['a'], to: 'b' },
      { type: 'settings.update', patch: { defaultColor: 'red' } },
      { type: 'annotation.create', annotation: { ...newAnnotation, selectors: [] }, document: documentInfo() },
    ]) {
      const answer = await handleRequest(service.handlers, bad);
      expect(answer).toMatchObject({
        ok: false,
        error: { code: 'malformed_request', params: { detail: expect.any(String) } },
      });
    }
    expect(await db.annotations.count()).toBe(0);
  });

  it('creates, lists, tags and exports through the contract; hostile text stays text', async () => {
    const service = new Background(freshDatabase());
    const created = await handleRequest(service.handlers, {
      type: 'annotation.create',
      annotation: newAnnotation,
      document: documentInfo(),
    });
    expect(created).toMatchObject({
      ok: true,
      value: { note: '<script>alert(1)</script>', tags: ['ppp 项目'], visibility: 'private' },
    });
    expect(
      await handleRequest(service.handlers, { type: 'annotations.list', documentKey: documentInfo().key }),
    ).toMatchObject({
      ok: true,
      value: [{ note: '<script>alert(1)</script>' }],
    });
    expect(await handleRequest(service.handlers, { type: 'tags.list' })).toMatchObject({
      ok: true,
      value: [{ tag: 'ppp 项目', count: 1 }],
    });
    expect(await handleRequest(service.handlers, { type: 'tags.rename', from: 'ppp 项目', to: 'PPP' })).toEqual({
      ok: true,
      value: { renamed: ['ppp 项目'], to: 'ppp' },
    });
    expect(await handleRequest(service.handlers, { type: 'tags.list' })).toMatchObject({
      ok: true,
      value: [{ tag: 'ppp', count: 1 }],
    });
    const exported = await handleRequest(service.handlers, { type: 'backup.export' });
    expect(exported.ok && JSON.parse(exported.value as string).total).toBe(1);
  });

  it("turns the service's refusals into error codes and params, for the asking page to word", async () => {
    const service = new Background(freshDatabase());
    expect(
      await handleRequest(service.handlers, { type: 'annotation.update', id: 'missing', patch: { note: 'x' } }),
    ).toEqual({
      ok: false,
      error: { code: 'annotation_missing' },
    });
    expect(await handleRequest(service.handlers, { type: 'sync.now' })).toEqual({
      ok: false,
      error: { code: 'not_joined' },
    });
    expect(await handleRequest(service.handlers, { type: 'team.leave', removeTeamData: true })).toEqual({
      ok: false,
      error: { code: 'not_joined' },
    });
    expect(
      await handleRequest(service.handlers, {
        type: 'team.join',
        serverUrl: 'ftp://x',
        inviteCode: 'abcd',
        displayName: 'n',
      }),
    ).toEqual({ ok: false, error: { code: 'url_scheme' } });
    expect(
      await handleRequest(service.handlers, {
        type: 'team.join',
        serverUrl: 'not a url',
        inviteCode: 'abcd',
        displayName: 'n',
      }),
    ).toEqual({ ok: false, error: { code: 'bad_url', params: { input: 'not a url' } } });
    expect(await handleRequest(service.handlers, { type: 'backup.import', json: '[1,2' })).toMatchObject({
      ok: false,
      error: { code: 'not_a_backup', params: { detail: expect.any(String) } },
    });
    expect(
      await handleRequest(service.handlers, {
        type: 'tags.rename',
        from: 'a',
        to: 'x'.repeat(60),
      }),
    ).toEqual({ ok: false, error: { code: 'tag_too_long', params: { max: 50 } } });
    expect(await handleRequest(service.handlers, { type: 'tags.merge', from: ['a', 'b'], to: ' \t' })).toEqual({
      ok: false,
      error: { code: 'empty_tag' },
    });
  });
});

describe('page ports', () => {
  it('drops malformed page messages and answers a page that opens with its annotations and status', async () => {
    const service = new Background(freshDatabase());
    const messages: PagePortOut[] = [];
    const port = { post: (m: PagePortOut) => messages.push(m) };
    await service.pages.receive(port, { type: 'page.open', documentKey: 'bad key!' });
    expect(messages).toEqual([]);
    await service.pages.receive(port, { type: 'page.open', documentKey: 'doc1', document: documentInfo() });
    expect(messages).toEqual([
      { type: 'status', status: { state: 'not-joined' } },
      { type: 'annotations', documentKey: 'doc1', annotations: [] },
    ]);
    // A page whose key and document disagree is refused with a status message, nothing stored.
    await service.pages.receive(port, { type: 'page.open', documentKey: 'doc2', document: documentInfo() });
    expect(messages.at(-1)).toMatchObject({ type: 'status', status: { state: 'error' } });
  });
});
