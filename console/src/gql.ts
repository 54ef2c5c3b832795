// Every request is a POST with the query and variables in the body: nothing
// a caller says ever reaches a URL (and so no server log, proxy log or
// browser history). The staff key lives in sessionStorage only, gone when
// the tab closes; nothing about the family is stored anywhere.

const KEY = 'village.key';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

export class GraphQLError extends Error {
  constructor(
    message: string,
    public code?: string,
    public field?: string,
    public status?: number,
  ) {
    super(message);
  }
}

export async function gql<T>(key: string | null, query: string, variables?: Record<string, unknown>): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (key) headers.Authorization = 'Bearer ' + key;
  let resp: Response;
  try {
    resp = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables: variables ?? {} }),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new GraphQLError('The server could not be reached. Check the connection and try again.', 'NETWORK');
  }
  let body: { data?: T; errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string } }[] };
  try {
    body = await resp.json();
  } catch {
    throw new GraphQLError(`The server answered ${resp.status} without a GraphQL answer.`, 'HTTP', undefined, resp.status);
  }
  if (body.errors && body.errors.length) {
    const e = body.errors[0];
    throw new GraphQLError(e.message, e.extensions?.code, e.extensions?.field, resp.status);
  }
  if (!resp.ok || !body.data) throw new GraphQLError(`The server answered ${resp.status}.`, 'HTTP', undefined, resp.status);
  return body.data;
}
