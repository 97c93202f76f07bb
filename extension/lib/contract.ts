/**
 * How the background's contract is declared (messages.ts): each request type paired, in one entry, with the
 * fields it carries (a zod schema, checked on arrival: a content script's page is untrusted) and the type of
 * its answer. From that one declaration `ask` returns the answer's type, and the router's handlers are checked
 * against it: a handler answering the wrong type does not compile. A group of requests one service answers (the
 * comparison's: compare-messages.ts) is its own contract spread into the whole, with its handlers typed
 * `HandlersOf<typeof GROUP>` beside the service and spread into the root's table.
 */
import { z } from 'zod';

/** One request: the schema of its fields (`type` aside) and its answer's type (`answer` is a type only). */
export type RequestEntry<Fields extends z.ZodObject = z.ZodObject, Answer = unknown> = {
  readonly fields: Fields;
  readonly answer?: Answer;
};

export type Contract = Record<string, RequestEntry>;

/** `request({ id: idSchema }).answers<Annotation>()`: a request carrying `id`, answered with an annotation. */
export function request<const Shape extends z.ZodRawShape>(shape: Shape) {
  const fields = z.object(shape);
  return { answers: <Answer>(): RequestEntry<typeof fields, Answer> => ({ fields }) };
}

type TypeOf<C extends Contract> = keyof C & string;
/** zod reads an empty shape as `Record<string, never>`, which no request with a `type` matches. */
type Fields<O> = string extends keyof O ? Record<never, never> : O;

/** A request of type K as the background receives it (defaults applied). */
export type RequestOf<C extends Contract, K extends TypeOf<C> = TypeOf<C>> = {
  [T in K]: { type: T } & Fields<z.output<C[T]['fields']>>;
}[K];

/** A request of type K as a sender writes it (fields with defaults may be left out). */
export type RequestInputOf<C extends Contract, K extends TypeOf<C> = TypeOf<C>> = {
  [T in K]: SentRequest<C, T>;
}[K];

/** One request as sent; written with `type: K` at its top so that `ask` infers K from a request. */
export type SentRequest<C extends Contract, K extends TypeOf<C>> = { type: K } & Fields<z.input<C[K]['fields']>>;

export type AnswerOf<C extends Contract, K extends TypeOf<C>> =
  C[K] extends RequestEntry<z.ZodObject, infer A> ? A : never;

/** One handler per request type, each answering its type (or a promise of it). */
export type HandlersOf<C extends Contract> = {
  [K in TypeOf<C>]: (request: RequestOf<C, K>) => AnswerOf<C, K> | Promise<AnswerOf<C, K>>;
};

/** The schema of every request of a contract: a union on `type`, each request its fields' schema. */
export function requestSchemaOf<C extends Contract>(contract: C): z.ZodType<RequestOf<C>, RequestInputOf<C>> {
  const variants = Object.entries(contract).map(([type, entry]) => entry.fields.extend({ type: z.literal(type) }));
  return z.discriminatedUnion('type', variants as unknown as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodType<
    RequestOf<C>,
    RequestInputOf<C>
  >;
}
