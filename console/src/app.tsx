import { useEffect, useRef, useState } from 'preact/hooks';
import { gql, GraphQLError, storedKey, storeKey } from './gql';
import { NEEDS } from './queries';
import type { Need } from './types';
import { CallPage, emptyForm, type CallForm } from './call';
import { GapsPage } from './gaps';
import { SearchPage } from './search';

type Page = 'call' | 'gaps' | 'search';

function SignIn({ onSignedIn, notice }: { onSignedIn: (key: string, needs: Need[]) => void; notice: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const needs = await loadNeeds(key.trim());
      storeKey(key.trim());
      onSignedIn(key.trim(), needs);
    } catch (err) {
      const g = err as GraphQLError;
      setError(g.status === 401 ? 'That key was not accepted. Check it and try again.' : g.message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main id="main" class="signin">
      <h1>Village console</h1>
      <p>For call-center staff. Sign in with your staff key; it is kept in this browser tab only and forgotten when the tab closes.</p>
      {notice && <p role="status" class="notice">{notice}</p>}
      <form onSubmit={submit}>
        <label for="key">Staff key</label>
        <input id="key" name="key" type="password" autoComplete="off" spellcheck={false} required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy || !key.trim()}>Sign in</button>
        <p role="alert" class="error">{error}</p>
      </form>
    </main>
  );
}

async function loadNeeds(key: string): Promise<Need[]> {
  const d = await gql<{ taxonomyTerms: { edges: { node: Need }[] } }>(key, NEEDS);
  return d.taxonomyTerms.edges.map((e) => e.node);
}

// Where the call form places the family, for ordering search results.
function nearOf(f: CallForm): Record<string, string> | null {
  if (f.zip.trim()) return { zip: f.zip.trim() };
  if (f.city.trim() && f.state.trim()) return { city: f.city.trim(), state: f.state.trim().toUpperCase() };
  return null;
}

export function App() {
  const [key, setKey] = useState<string | null>(storedKey());
  const [needs, setNeeds] = useState<Need[]>([]);
  const [page, setPage] = useState<Page>('call');
  const [form, setForm] = useState<CallForm>(emptyForm);
  const [notice, setNotice] = useState('');
  const [searchBox, setSearchBox] = useState('');
  const [searchText, setSearchText] = useState('');
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    if (key && !needs.length) {
      loadNeeds(key).then(setNeeds).catch((err: GraphQLError) => {
        if (err.status === 401) signOut('Your key is no longer accepted: sign in again.');
      });
    }
  }, [key]);

  function signOut(msg = '') {
    storeKey(null);
    setKey(null);
    setNeeds([]);
    setForm(emptyForm);
    setNotice(msg);
  }

  function go(p: Page) {
    setPage(p);
    requestAnimationFrame(() => main.current?.querySelector<HTMLElement>('h2')?.focus());
  }

  if (!key) {
    return <SignIn notice={notice} onSignedIn={(k, n) => { setKey(k); setNeeds(n); setNotice(''); }} />;
  }
  return (
    <>
      <a class="skip" href="#main">Skip to the page</a>
      <header class="top no-print">
        <h1>Village console</h1>
        <nav aria-label="Console">
          <button type="button" aria-current={page === 'call' ? 'page' : undefined} onClick={() => go('call')}>Call</button>
          <button type="button" aria-current={page === 'gaps' ? 'page' : undefined} onClick={() => go('gaps')}>Gaps</button>
        </nav>
        <form role="search" class="searchbox" onSubmit={(e) => { e.preventDefault(); if (searchBox.trim()) { setSearchText(searchBox.trim()); setPage('search'); } }}>
          <label for="search-text" class="visually-hidden">Search the directory</label>
          <input id="search-text" type="search" placeholder="Search the directory" autoComplete="off" value={searchBox} onInput={(e) => setSearchBox(e.currentTarget.value)} />
          <button type="submit">Search</button>
        </form>
        <button type="button" class="signout" onClick={() => signOut('Signed out.')}>Sign out</button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {page === 'call' && <CallPage apiKey={key} needs={needs} form={form} setForm={setForm} onUnauthorized={() => signOut('Your key is no longer accepted: sign in again.')} />}
        {page === 'gaps' && <GapsPage apiKey={key} needs={needs} />}
        {page === 'search' && <SearchPage apiKey={key} text={searchText} near={nearOf(form)} />}
      </main>
    </>
  );
}
