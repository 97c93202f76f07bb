/**
 * A refused task request, from the background's TaskService to the words the page shows: the refusal travels as
 * a code with its values (`{ refused }`), and the asking page words it in the UI's language, not the
 * background's English. Unexpected failures still reject as they are.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { createFakeBrowser } from './fake-browser.ts';

const fake = vi.hoisted(() => ({ current: null as ReturnType<typeof createFakeBrowser> | null }));
vi.mock('wxt/browser', async () => {
  const { createFakeBrowser } = await import('./fake-browser.ts');
  fake.current = createFakeBrowser();
  return { browser: fake.current.browser };
});

const { dispatchTask, TaskService } = await import('../../../extension/lib/background/tasks.ts');
const { setLanguage } = await import('../../../extension/lib/i18n.ts');
const { askTask, taskErrorText } = await import('../../../extension/lib/task-errors.ts');
const { checkUnitCount } = await import('../../../extension/lib/task-input.ts');
const { isRefused, TaskRefusal } = await import('../../../extension/lib/tasks-messages.ts');

const viewer = {
  teamId: 't1',
  teamName: '教育局',
  serverUrl: 'http://127.0.0.1:1',
  memberId: 'm2',
  displayName: '李娜',
  role: 'viewer' as const,
  token: 'x'.repeat(20),
  joinedAt: 1,
  unit: null,
};

/** A TaskService whose rooms are never reached: every request below is refused before. */
function service(team: typeof viewer | undefined) {
  return new TaskService({
    rooms: null as never,
    vocabulary: null as never,
    team: async () => team,
    saveTeam: async () => undefined,
    rememberDocument: async () => undefined,
    now: () => 1,
    randomId: () => 'r1',
  });
}

const clause = { path: ['一、'], text: '一、总体要求', hash: 'h1', index: 0 };

afterEach(() => setLanguage('auto'));

describe('refused task requests', () => {
  it('are answered as a code with its values, which the page words in Chinese or English', async () => {
    const answer = await dispatchTask(service(viewer), {
      type: 'task.update',
      documentKey: 'doc1',
      id: 'task1',
      patch: { status: 'done' },
    });
    expect(answer).toEqual({ refused: { code: 'viewer', params: [] } });
    expect(isRefused(answer)).toBe(true);

    fake.current!.answerBackground(() => ({ ok: true, value: answer }));
    const refusal = await askTask({ type: 'task.update', documentKey: 'doc1', id: 'task1', patch: {} }).catch(
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(TaskRefusal);
    setLanguage('zh_CN');
    expect(taskErrorText(refusal)).toBe('您以查看者身份加入，不能建任务或修改任务。');
    setLanguage('en');
    expect(taskErrorText(refusal)).toMatch(/viewer/);
  });

  it('word the values they carry, and a member who has not joined is told to join', async () => {
    const answer = await dispatchTask(service(undefined), {
      type: 'tasks.create',
      document: { key: 'doc1', url: 'http://127.0.0.1/a.html', canonicalUrl: 'http://127.0.0.1/a.html', title: '要点' },
      drafts: [{ clause, task: '任务', leadUnits: [], units: [], due: null, status: 'todo' }],
    });
    expect(answer).toEqual({ refused: { code: 'not_joined', params: [] } });
    setLanguage('zh_CN');
    expect(taskErrorText(new TaskRefusal('not_your_unit', ['体卫艺科']))).toContain('“体卫艺科”');
    const tooMany = (() => {
      try {
        checkUnitCount(Array.from({ length: 31 }, (_, i) => `单位${i}`));
      } catch (error) {
        return error;
      }
    })();
    expect(taskErrorText(tooMany)).toBe('一项任务最多填 30 个单位，请删去一些。');
    expect(() =>
      checkUnitCount(
        ['办公室'],
        Array.from({ length: 30 }, (_, i) => `单位${i}`),
      ),
    ).not.toThrow();
  });

  it('leave other failures as they are, and an answer that only looks like a refusal is a value', async () => {
    expect(taskErrorText(new Error('disk full'))).toBe('disk full');
    expect(isRefused({ refused: { code: 'toString', params: [] } })).toBe(false);
    expect(isRefused({ refused: { code: 'viewer', params: [1] } })).toBe(false);
    fake.current!.answerBackground(() => ({ ok: false, error: 'Pizhu could not save' }));
    await expect(askTask({ type: 'tasks.context' })).rejects.toThrow('Pizhu could not save');
  });
});
