/** The background's settings (team, sync status, preferences), re-read on demand and while sync status changes. */
import { useCallback, useEffect, useState } from 'react';
import { ask } from '../../lib/ask.ts';
import { errorText } from '../../lib/i18n.ts';
import type { SettingsView } from '../../lib/messages.ts';

export function useSettings(pollMs = 0): { settings: SettingsView | null; error: string | null; reload: () => void } {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    ask<SettingsView>({ type: 'settings.get' })
      .then((value) => {
        setSettings(value);
        setError(null);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(() => {
    reload();
    if (!pollMs) return;
    const timer = setInterval(reload, pollMs);
    return () => clearInterval(timer);
  }, [reload, pollMs]);
  return { settings, error, reload };
}
