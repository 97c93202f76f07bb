/**
 * A refused task request, from the background's TaskService to the words the page shows: the refusal travels as
 * a stable code with its values (extension/lib/errors.ts), and the asking page words it in the UI's language,
 * not the background's English.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('wxt/browser', () => import('./wxt-browser-mock.ts'));
const { fake } = await import('./wxt-browser-mock.ts');

const { taskHandlers, TaskService } = await import('../../../extension/lib/background/tasks.ts');
const { ask } = await import('../../../extension/lib/ask.ts');
const { errorInfo, PizhuError } = await import('../../../extension/lib/errors.ts');
const { errorText, setLanguage } = await import('../../../extension/lib/i18n.ts');
const { checkUnitCount } = await import('../../../extension/lib/task-input.ts');

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
    storedDocument: () => Promise.reject(new Error('no documents here')),
    now: () => 1,
    randomId: () => 'r1',
  });
}

const clause = { path: ['一、'], text: '一、总体要求', hash: 'h1', index: 0 };

afterEach(() => setLanguage('auto'));

/** What the router answers for a request the service refuses: the error's code and params. */
type TaskRequest = { type: 'task.update' | 'tasks.create' | 'task.progress' | 'tasks.context' } & Record<
  string,
  unknown
>;

async function answer(request: TaskRequest, team: typeof viewer | undefined) {
  const handlers = taskHandlers(service(team)) as unknown as Record<string, (request: TaskRequest) => Promise<unknown>>;
  try {
    return { ok: true, value: await handlers[request.type]!(request) };
  } catch (error) {
    return { ok: false, error: errorInfo(error) };
  }
}

describe('refused task requests', () => {
  it('travel as a code with its values, which the page words in Chinese or English', async () => {
    const refused = await answer({ type: 'task.update', documentKey: 'doc1', id: 'task1', patch: {} }, viewer);
    expect(refused).toEqual({ ok: false, error: { code: 'task_viewer', params: { team: '教育局' } } });

    fake.answerBackground(() => refused);
    const error = await ask({ type: 'task.update', documentKey: 'doc1', id: 'task1', patch: {} }).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(PizhuError);
    setLanguage('zh_CN');
    expect(errorText(error)).toBe('您以查看者身份加入“教育局”：可以阅读任务，但不能建任务或修改任务。');
    setLanguage('en');
    expect(errorText(error)).toBe(
      'You joined “教育局” as a viewer: you can read its tasks but not create or change them.',
    );
  });

  it('word the values they carry, and a member who has not joined is told to join', async () => {
    const refused = await answer(
      {
        type: 'tasks.create',
        document: {
          key: 'doc1',
          url: 'http://127.0.0.1/a.html',
          canonicalUrl: 'http://127.0.0.1/a.html',
          title: '要点',
        },
        drafts: [{ clause, task: '任务', leadUnits: [], units: [], due: null, status: 'todo' }],
      },
      undefined,
    );
    expect(refused).toEqual({ ok: false, error: { code: 'task_not_joined' } });
    setLanguage('zh_CN');
    expect(errorText(new PizhuError('task_not_your_unit', { units: '体卫艺科' }))).toContain('“体卫艺科”');
    const tooMany = (() => {
      try {
        checkUnitCount(Array.from({ length: 31 }, (_, i) => `单位${i}`));
      } catch (error) {
        return error;
      }
    })();
    expect(errorText(tooMany)).toBe('一项任务最多填 30 个单位，请删去一些。');
    expect(() =>
      checkUnitCount(
        ['办公室'],
        Array.from({ length: 30 }, (_, i) => `单位${i}`),
      ),
    ).not.toThrow();
  });
});
