/** The sites Pizhu may read (granted one by one from the popup), and those switched off; each can be removed. */
import { useCallback, useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { t } from '../../lib/i18n.ts';
import type { Preferences } from '../../lib/messages.ts';
import { isPageOrigin } from '../../lib/background/site-access.ts';

export function Sites({
  preferences,
  onChange,
}: {
  preferences: Preferences;
  onChange: (disabledSites: string[]) => void;
}) {
  const [granted, setGranted] = useState<string[]>([]);
  const refresh = useCallback(() => {
    void browser.permissions.getAll().then(({ origins = [] }) => setGranted(origins.filter(isPageOrigin)));
  }, []);
  useEffect(refresh, [refresh]);
  const builtIn = (browser.runtime.getManifest() as { host_permissions?: string[] }).host_permissions ?? [];

  return (
    <section aria-labelledby="sites-title" className="pz-card-section">
      <h2 id="sites-title">{t('options_sites')}</h2>
      <p className="pz-muted pz-small">{t('options_sites_help')}</p>
      <ul className="pz-list" data-testid="granted-sites">
        {granted.map((pattern) => (
          <li key={pattern}>
            <code>{pattern}</code>
            {!builtIn.includes(pattern) && (
              <button
                type="button"
                onClick={() => void browser.permissions.remove({ origins: [pattern] }).then(refresh)}
              >
                {t('options_site_remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {preferences.disabledSites.length > 0 && (
        <>
          <h3>{t('options_sites_disabled')}</h3>
          <ul className="pz-list" data-testid="disabled-sites">
            {preferences.disabledSites.map((origin) => (
              <li key={origin}>
                <code>{origin}</code>
                <button type="button" onClick={() => onChange(preferences.disabledSites.filter((o) => o !== origin))}>
                  {t('options_site_enable')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
