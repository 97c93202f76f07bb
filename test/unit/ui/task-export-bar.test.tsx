// @vitest-environment happy-dom
/**
 * The 任务 tab's export bar: a file that could not be made is said in the UI's words, from the error's code, like
 * every other refusal (not an exception's English); a report period typed backwards is said before any export.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('wxt/browser', () => import('./wxt-browser-mock.ts'));

const { TaskExportBar } = await import('../../../extension/components/panel/tasks/TaskExportBar.tsx');
const { PizhuError } = await import('../../../extension/lib/errors.ts');
const { setLanguage } = await import('../../../extension/lib/i18n.ts');

afterEach(() => {
  cleanup();
  setLanguage('auto');
});

/** The bar in English on 2023-07-03, its tasks read from `queries`. */
function renderBar(queries: { tasks: { export: () => Promise<unknown> } }) {
  setLanguage('en');
  return render(
    <TaskExportBar
      queries={queries as never}
      teamId="t1"
      filter={{}}
      today="2023-07-03"
      timeZone="Asia/Shanghai"
      titles={{ table: 'Tasks', report: 'Progress' }}
      disabled={false}
    />,
  );
}

describe('task exports', () => {
  it('words a failed export from its code', async () => {
    const queries = {
      tasks: {
        export: async () => {
          throw new PizhuError('storage_failed');
        },
      },
    };
    renderBar(queries);
    fireEvent.click(screen.getByRole('button', { name: 'XLSX' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Could not save this; please try again');
  });

  it('refuses a report period typed to end before it starts, in words', async () => {
    const { container } = renderBar({ tasks: { export: async () => [] } });
    fireEvent.click(screen.getByRole('button', { name: 'Progress report…' }));
    const reportButtons = () => [...container.querySelectorAll<HTMLButtonElement>('[data-export-report]')];
    expect(reportButtons().map((b) => b.disabled)).toEqual([false, false]);
    const to = screen.getByRole('textbox', { name: 'To' });
    fireEvent.change(to, { target: { value: '2023-05-01' } });
    fireEvent.blur(to);
    expect((await screen.findByRole('alert')).textContent).toBe('The period ends before it starts; adjust the dates');
    expect(reportButtons().map((b) => b.disabled)).toEqual([true, true]);
  });
});
