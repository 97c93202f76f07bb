/** Checks a server URL typed in the options, with messages in the user's language. */
import { t } from '../../lib/i18n.ts';

export type UrlCheck = { ok: true; url: string } | { ok: false; error: string };

export function checkServerUrl(input: string): UrlCheck {
  const trimmed = input.trim();
  if (!trimmed) return { ok: false, error: t('options_url_required') };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, error: t('options_url_invalid') };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, error: t('options_url_scheme') };
  if (url.search || url.hash || url.username || url.password) return { ok: false, error: t('options_url_extra') };
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}
