/** Join a team: server URL (checked before anything is sent), invite code and the name colleagues will see. */
import { useState } from 'react';
import { t } from '../../lib/i18n.ts';
import { ApiError, normaliseServerUrl } from '../../lib/sync/api-client.ts';
import { ask } from '../../lib/ask.ts';
import type { TeamRow } from '../../lib/store/db.ts';

type JoinState = { kind: 'idle' } | { kind: 'busy' } | { kind: 'error'; message: string } | { kind: 'done'; team: string };

export function JoinTeam({ onJoined }: { onJoined?: () => void }) {
  const [serverUrl, setServerUrl] = useState('http://127.0.0.1:8787');
  const [inviteCode, setInviteCode] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [state, setState] = useState<JoinState>({ kind: 'idle' });
  const [urlError, setUrlError] = useState<string | null>(null);

  const checkUrl = (value: string) => {
    try {
      normaliseServerUrl(value);
      setUrlError(null);
      return true;
    } catch (error) {
      setUrlError(error instanceof ApiError ? error.message : String(error));
      return false;
    }
  };

  const join = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!checkUrl(serverUrl)) return;
    setState({ kind: 'busy' });
    try {
      const team = await ask<TeamRow>({ type: 'team.join', serverUrl, inviteCode, displayName });
      setState({ kind: 'done', team: team.teamName });
      onJoined?.();
    } catch (error) {
      setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <form className="pz-form" onSubmit={join} aria-labelledby="join-title">
      <h2 id="join-title">{t('join_title')}</h2>
      <label>
        {t('join_server')}
        <input
          name="serverUrl"
          value={serverUrl}
          onChange={(e) => setServerUrl(e.target.value)}
          onBlur={(e) => checkUrl(e.target.value)}
          aria-invalid={urlError !== null}
          aria-describedby="server-url-error"
          required
        />
      </label>
      {urlError && (
        <p id="server-url-error" className="pz-error" role="alert">
          {urlError}
        </p>
      )}
      <label>
        {t('join_invite')}
        <input name="inviteCode" value={inviteCode} onChange={(e) => setInviteCode(e.target.value)} required />
      </label>
      <label>
        {t('join_name')}
        <input name="displayName" value={displayName} onChange={(e) => setDisplayName(e.target.value)} required />
      </label>
      <button type="submit" className="pz-primary" disabled={state.kind === 'busy'}>
        {t('join_submit')}
      </button>
      {state.kind === 'error' && (
        <p className="pz-error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === 'done' && (
        <p className="pz-success" role="status">
          {t('join_done', state.team)}
        </p>
      )}
    </form>
  );
}
