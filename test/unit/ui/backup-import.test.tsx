// @vitest-environment happy-dom
/**
 * The options page's backup import: the records it could not import arrive as codes with their values and are
 * worded in the UI's language, like every other error, never in the background's English.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImportSummary } from '../../../extension/lib/messages.ts';

vi.mock('wxt/browser', () => import('./wxt-browser-mock.ts'));
const { fake } = await import('./wxt-browser-mock.ts');

const { Backup } = await import('../../../extension/components/options/Backup.tsx');
const { setLanguage } = await import('../../../extension/lib/i18n.ts');

const summary: ImportSummary = {
  imported: 1,
  unchanged: 0,
  errors: [
    {
      kind: 'annotation',
      position: 2,
      id: 'urn:pizhu:annotation:x',
      error: { code: 'invalid_input', params: { detail: 'pizhu:color' } },
    },
    { kind: 'annotation', position: null, id: 'a9', error: { code: 'author_only' } },
  ],
};

afterEach(() => {
  cleanup();
  setLanguage('auto');
});

async function importFile(): Promise<string[]> {
  fake.answerBackground((message) =>
    message.type === 'backup.import' ? { ok: true, value: summary } : { ok: true, value: null },
  );
  render(<Backup />);
  fireEvent.change(screen.getByTestId('backup-file'), {
    target: { files: [new File(['{}'], 'backup.jsonld', { type: 'application/ld+json' })] },
  });
  const result = await screen.findByTestId('backup-result');
  return [...result.querySelectorAll('li')].map((li) => li.textContent ?? '');
}

describe('backup import problems', () => {
  it('words each record that was not imported from its code, in English', async () => {
    setLanguage('en');
    expect(await importFile()).toEqual([
      'Annotation #2 (urn:pizhu:annotation:x): Not a valid value: pizhu:color',
      expect.stringMatching(/^Annotation \(a9\): \S/),
    ]);
  });

  it('and in Chinese', async () => {
    setLanguage('zh_CN');
    const lines = await importFile();
    expect(lines[0]).toBe('批注 #2 (urn:pizhu:annotation:x)：内容不符合要求：pizhu:color');
    expect(lines[1]).toMatch(/^批注 \(a9\)：\S/);
    expect(lines.join('')).not.toMatch(/Only its author/);
  });
});
