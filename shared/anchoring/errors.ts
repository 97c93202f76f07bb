/** Raised for input anchoring cannot work with (not a Range, a range outside the page, an empty selection). */
export class AnchoringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnchoringError';
  }
}
