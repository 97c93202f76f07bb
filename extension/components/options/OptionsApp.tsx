/** The options page: the team this browser belongs to, and joining one with an invite code. */
import { useEffect, useState } from 'react';
import { t } from '../../lib/i18n.ts';
import { ask } from '../../lib/ask.ts';
import type { SyncStatus } from '../../lib/messages.ts';
import type { TeamRow } from '../../lib/store/db.ts';
import { JoinTeam } from './JoinTeam.tsx';

type Settings = { team: Omit<TeamRow, 'token'> | null; status: SyncStatus };

export function OptionsApp() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const reload = () => void ask<Settings>({ type: 'settings.get' }).then(setSettings);
  useEffect(reload, []);
  return (
    <main className="pz-page">
      <h1>{t('options_title')}</h1>
      {settings?.team && (
        <section aria-labelledby="team-title">
          <h2 id="team-title">{t('options_team')}</h2>
          <dl className="pz-facts">
            <dt>{t('options_team_name')}</dt>
            <dd data-testid="team-name">{settings.team.teamName}</dd>
            <dt>{t('options_server')}</dt>
            <dd>{settings.team.serverUrl}</dd>
            <dt>{t('options_display_name')}</dt>
            <dd>{settings.team.displayName}</dd>
            <dt>{t('options_role')}</dt>
            <dd>{t(`role_${settings.team.role}`)}</dd>
          </dl>
        </section>
      )}
      <JoinTeam onJoined={reload} />
    </main>
  );
}
