/**
 * Text going into an export (DOCX, Markdown, a briefing paragraph) comes from web pages and team members, so it
 * is cleaned the same way everywhere: characters XML 1.0 forbids are removed (the briefing's own rule, reused),
 * and bidirectional embedding, override and isolate controls are removed, so no clause can be displayed in an
 * order other than the one it is stored in ("Trojan Source"-style reordering).
 */
import { xmlText } from '../briefing/escape.ts';

/** U+202A–U+202E (embeddings, overrides, pop) and U+2066–U+2069 (isolates). */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

export function exportText(text: string): string {
  return xmlText(text).replace(BIDI_CONTROLS, '');
}
