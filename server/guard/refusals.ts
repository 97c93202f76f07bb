/**
 * Every refusal is counted in /metrics by its reason and logged as one line per reason (the logger keeps each kind
 * to a few lines a minute and summarises the rest), so an attack shows in the log without flooding it.
 */
import type { Logger } from '../log.ts';
import type { Metrics, RejectReason } from '../metrics.ts';

export class Refusals {
  constructor(
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  note(reason: RejectReason, message: string): void {
    this.metrics.reject(reason);
    this.log.warn(`refused:${reason}`, message);
  }
}
