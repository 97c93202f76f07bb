/** Text with the search's terms marked (<mark>); with `around`, only the part around the first match. */
import { markTerms, snippet } from '../../lib/store/queries.ts';

export function Marked({ text, terms, around }: { text: string; terms: readonly string[]; around?: number }) {
  if (!terms.length) return <>{text}</>;
  const pieces = around ? snippet(text, terms, around) : markTerms(text, terms);
  return (
    <>
      {pieces.map((piece, i) =>
        // biome-ignore lint/suspicious/noArrayIndexKey: pieces are positional and never reordered
        piece.hit ? <mark key={i}>{piece.text}</mark> : <span key={i}>{piece.text}</span>,
      )}
    </>
  );
}
