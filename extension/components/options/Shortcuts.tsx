/** Keyboard shortcuts as the browser has them bound now, and the way to the browser's page to change them. */
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { t, type MessageKey } from '../../lib/i18n.ts';

type Command = { name?: string; shortcut?: string };

const COMMAND_LABELS: Record<string, MessageKey> = {
  'highlight-selection': 'command_highlight',
  'tag-selection': 'command_tag',
  'next-annotation': 'command_next',
  'previous-annotation': 'command_previous',
  'open-side-panel': 'command_side_panel',
};

type FirefoxCommands = { openShortcutSettings?: () => Promise<void> };

export function Shortcuts() {
  const [commands, setCommands] = useState<Command[]>([]);
  useEffect(() => {
    void browser.commands?.getAll().then((all) => setCommands(all.filter((c) => c.name && c.name in COMMAND_LABELS)));
  }, []);

  const change = () => {
    const firefox = browser.commands as unknown as FirefoxCommands;
    if (firefox.openShortcutSettings) void firefox.openShortcutSettings();
    else void browser.tabs.create({ url: 'chrome://extensions/shortcuts' });
  };

  return (
    <section aria-labelledby="shortcuts-title" className="pz-card-section">
      <h2 id="shortcuts-title">{t('options_shortcuts')}</h2>
      <table className="pz-table">
        <tbody>
          {commands.map((command) => (
            <tr key={command.name} data-command={command.name}>
              <th scope="row">{t(COMMAND_LABELS[command.name!]!)}</th>
              <td>
                {command.shortcut ? (
                  <kbd>{command.shortcut}</kbd>
                ) : (
                  <span className="pz-muted">{t('options_shortcut_unset')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button type="button" onClick={change}>
          {t('options_shortcuts_change')}
        </button>
      </p>
    </section>
  );
}
