/** The annotation a page was opened for ("#pizhu=<id>" from a briefing or the team library), if any. */
import { idSchema } from '../../../shared/model/annotation.ts';

export function deepLinkTarget(hash: string): string | null {
  const match = /(?:^#?|&)pizhu=([^&:]*)/.exec(hash.split(':~:', 1)[0]!);
  if (!match) return null;
  let id: string;
  try {
    id = decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
  return idSchema.safeParse(id).success ? id : null;
}
