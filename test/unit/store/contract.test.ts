/**
 * The background's contract (extension/lib/messages.ts, REQUESTS): `ask` takes its answer's type from the
 * request's `type`, with no type written at the call, and refuses (at compile time) a request type that does not
 * exist or fields the request does not carry; the handlers are checked against the same answers. The type
 * checks run in `npm run typecheck`; the calls below also go through the real router and background.
 */
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { Annotation } from '../../../shared/model/annotation.ts';
import { Background } from '../../../extension/lib/background/root.ts';
import { handleRequest } from '../../../extension/lib/background/router.ts';
import { ask } from '../../../extension/lib/ask.ts';
import type { CarryResult, KeptVersion } from '../../../extension/lib/compare-messages.ts';
import type {
  Answer,
  Handlers,
  ImportSummary,
  LeaveSummary,
  SettingsView,
  SyncStatus,
  TagUsage,
} from '../../../extension/lib/messages.ts';
import { documentInfo, freshDatabase } from './fixtures.ts';

const runtime = vi.hoisted(() => ({ background: null as Background | null }));

// The extension's messaging, as one process: what `ask` sends goes through a copy (as between contexts) to the
// router and the background's handlers.
vi.mock('wxt/browser', () => ({
  browser: {
    runtime: {
      sendMessage: (message: unknown) => handleRequest(runtime.background!.handlers, structuredClone(message)),
    },
  },
}));

describe('ask', () => {
  it('answers with the type its request names, without a type at the call', async () => {
    runtime.background = new Background(freshDatabase());
    const document = documentInfo();
    const created = await ask({
      type: 'annotation.create',
      annotation: {
        documentKey: document.key,
        selectors: [{ type: 'TextQuoteSelector', exact: '加强学校体育工作' }],
        clausePath: ['一、'],
        quote: '加强学校体育工作',
      },
      document,
    });
    expectTypeOf(created).toEqualTypeOf<Annotation>();
    expect(created).toMatchObject({ quote: '加强学校体育工作', tags: [], visibility: 'private' });

    const listed = await ask({ type: 'annotations.list', documentKey: document.key });
    expectTypeOf(listed).toEqualTypeOf<Annotation[]>();
    expect(listed.map((a) => a.id)).toEqual([created.id]);

    const settings = await ask({ type: 'settings.get' });
    expectTypeOf(settings).toEqualTypeOf<SettingsView>();
    expect(settings.team).toBeNull();

    const opened = ask({ type: 'compare.open', documentKey: document.key });
    expectTypeOf(opened).toEqualTypeOf<Promise<void>>();
    await expect(opened).rejects.toMatchObject({ code: 'internal' });
  });

  it('pairs every request type with its answer', () => {
    expectTypeOf<Answer<'annotation.update'>>().toEqualTypeOf<Annotation>();
    expectTypeOf<Answer<'settings.update'>>().toEqualTypeOf<SettingsView>();
    expectTypeOf<Answer<'team.leave'>>().toEqualTypeOf<LeaveSummary>();
    expectTypeOf<Answer<'sync.now'>>().toEqualTypeOf<SyncStatus>();
    expectTypeOf<Answer<'tags.list'>>().toEqualTypeOf<TagUsage[]>();
    expectTypeOf<Answer<'backup.export'>>().toEqualTypeOf<string>();
    expectTypeOf<Answer<'backup.import'>>().toEqualTypeOf<ImportSummary>();
    expectTypeOf<Answer<'snapshot.keep'>>().toEqualTypeOf<KeptVersion>();
    expectTypeOf<Answer<'compare.carry'>>().toEqualTypeOf<CarryResult>();
  });

  it('does not compile for an unknown request type, a missing or mistyped field, or one the request lacks', () => {
    // Never called: these lines are checked by the compiler only.
    const wrongRequests = () => [
      // @ts-expect-error: no such request
      ask({ type: 'annotation.explode', id: 'a' }),
      // @ts-expect-error: `id` is text
      ask({ type: 'annotation.delete', id: 42 }),
      // @ts-expect-error: `annotation.update` carries a patch
      ask({ type: 'annotation.update', id: 'a' }),
      // @ts-expect-error: `annotation.delete` carries no note
      ask({ type: 'annotation.delete', id: 'a', note: '改' }),
    ];
    expectTypeOf(wrongRequests).toBeFunction();
  });

  it('does not compile a handler that answers with the wrong type', () => {
    const handler: Handlers['settings.get'] =
      // @ts-expect-error: `settings.get` answers with the settings view, not a bare status
      async () => ({ state: 'online' }) satisfies SyncStatus;
    expectTypeOf(handler).toBeFunction();
    const listHandler: Handlers['annotations.list'] = (request) => {
      expectTypeOf(request.documentKey).toEqualTypeOf<string>();
      return [];
    };
    expectTypeOf(listHandler).toBeFunction();
  });
});
