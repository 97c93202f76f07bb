/** Join a team: server URL (checked before anything is sent), invite code and the name colleagues will see. */
import { useState } from 'react';
import { ask } from '../../lib/ask.ts';
import { errorText, t } from '../../lib/i18n.ts';
import type { SettingsView } from '../../lib/messages.ts';
import { Notice } from '../common/Notice.tsx';
import { checkServerUrl } from './server-url.ts';
import { requestSharingConsent } from './sharing-consent.ts';

type JoinState = { kind: 'idle' } | { kind: 'busy' } | { kind: 'error'; message: string };

export type JoinedTeam = NonNullable<SettingsView['team']>;

export function JoinTeam({
  onJoined,
  initialServerUrl = 'http://127.0.0.1:8787',
  initialName = '',
}: {
  /** The form is done once joined: the page shows the membership instead. */
  onJoined: (team: JoinedTeam) => void;
  initialServerUrl?: string;
  initialName?: string;
}) {
  const [serverUrl, setServerUrl] = useState(initialServerUrl);
  const [inviteCode, setInviteCode] = useState('');
  const [displayName, setDisplayName] = useState(initialName);
  const [state, setState] = useState<JoinState>({ kind: 'idle' });
  const [urlError, setUrlError] = useState<string | null>(null);

  const checkUrl = (value: string) => {
    const check = checkServerUrl(value);
    setUrlError(check.ok ? null : check.error);
    return check.ok;
  };

  const join = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!checkUrl(serverUrl)) return;
    const consent = requestSharingConsent();
    setState({ kind: 'busy' });
    try {
      if (!(await consent)) return setState({ kind: 'error', message: t('join_consent_refused') });
      const team = await ask<JoinedTeam>({ type: 'team.join', serverUrl: serverUrl.trim(), inviteCode, displayName });
      setState({ kind: 'idle' });
      setInviteCode('');
      onJoined(team);
    } catch (error) {
      setState({ kind: 'error', message: errorText(error) });
    }
  };

  return (
    <form className="pz-form" onSubmit={join} aria-labelledby="join-title" noValidate>
      <h2 id="join-title">{t('join_title')}</h2>
      <p className="pz-muted pz-small">{t('join_help')}</p>
      <label>
        {t('join_server')}
        <input
          name="serverUrl"
          type="url"
          value={serverUrl}
          onChange={(e) => setServerUrl(e.target.value)}
          onBlur={(e) => checkUrl(e.target.value)}
          aria-invalid={urlError !== null}
          aria-describedby="server-url-error"
          required
        />
      </label>
      {/* Always there, so the form does not jump when the message comes and goes (a click would miss). */}
      <p id="server-url-error" className="pz-error pz-field-message" aria-live="assertive">
        {urlError && <span role="alert">{urlError}</span>}
      </p>
      <label>
        {t('join_invite')}
        <input
          name="inviteCode"
          value={inviteCode}
          onChange={(e) => setInviteCode(e.target.value)}
          required
          autoComplete="off"
        />
      </label>
      <label>
        {t('join_name')}
        <input name="displayName" value={displayName} onChange={(e) => setDisplayName(e.target.value)} required />
      </label>
      <div>
        <button type="submit" className="pz-primary" disabled={state.kind === 'busy'}>
          {state.kind === 'busy' ? t('join_busy') : t('join_submit')}
        </button>
      </div>
      {state.kind === 'error' && <Notice kind="error">{state.message}</Notice>}
    </form>
  );
}
