import { errorMessage } from '../errors.ts';

/** Work nobody waits for (a repair, a notification): its failure is logged, never left unhandled. */
export function background(task: Promise<unknown>): void {
  task.catch((error: unknown) => console.warn('[pizhu]', errorMessage(error)));
}
