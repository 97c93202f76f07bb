/**
 * Task requests from the page and the side panel: a refusal the background answers (`{ refused }`,
 * tasks-messages.ts) is thrown as a TaskRefusal, and `taskErrorText` words it in the UI's language. Anything else
 * (the background unreachable, a full disk) is shown as the error says.
 */
import { ask } from './ask.ts';
import { type MessageKey, t } from './i18n.ts';
import type { RequestInput } from './messages.ts';
import { isRefused, type TaskRefusalCode, TaskRefusal } from './tasks-messages.ts';

const REFUSAL_KEYS: Record<TaskRefusalCode, MessageKey> = {
  not_joined: 'task_join_first',
  viewer: 'task_viewer_cannot',
  task_missing: 'task_error_missing',
  not_your_unit: 'task_error_not_your_unit',
  unit_name: 'task_error_unit_name',
  too_many_units: 'task_error_too_many_units',
  link: 'task_error_link',
  invalid: 'task_error_invalid',
};

export async function askTask<T>(request: RequestInput): Promise<T> {
  const answer = await ask<T | unknown>(request);
  if (isRefused(answer)) throw new TaskRefusal(answer.refused.code, answer.refused.params);
  return answer as T;
}

export function taskErrorText(error: unknown): string {
  if (error instanceof TaskRefusal) return t(REFUSAL_KEYS[error.code], error.params);
  return error instanceof Error ? error.message : String(error);
}
