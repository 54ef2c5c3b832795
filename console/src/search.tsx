import { useEffect, useRef, useState } from 'preact/hooks';
import { gql, GraphQLError } from './gql';

// Free-text search over the directory (the search query): services,
// programs, organizations and library resources, nearest first among equals
// when the call form has a place.
const SEARCH = `query ConsoleSearch($text: String!, $near: PlaceInput, $first: Int) {
  search(text: $text, near: $near, first: $first) {
    totalCount
    edges {
      score distanceKm
      highlights { field text matches { start end } }
      node {
        __typename
        ... on Service { id name sample organization { name } }
        ... on Program { id name sample }
        ... on Organization { id name sample }
        ... on Resource { id title sample url }
      }
    }
  }
}`;

interface Highlight { field: string; text: string; matches: { start: number; end: number }[] }
interface Hit {
  score: number;
  distanceKm: number | null;
  highlights: Highlight[];
  node: { __typename: string; id: string; name?: string; title?: string; sample: boolean; url?: string | null; organization?: { name: string } };
}

const KIND: Record<string, string> = { Service: 'Service', Program: 'Program', Organization: 'Organization', Resource: 'Library resource' };

// The snippet with its matched words marked; offsets count code points.
function Marked({ h }: { h: Highlight }) {
  const chars = Array.from(h.text);
  const parts = [];
  let at = 0;
  for (const m of h.matches) {
    if (m.start < at) continue;
    parts.push(chars.slice(at, m.start).join(''));
    parts.push(<mark>{chars.slice(m.start, m.end).join('')}</mark>);
    at = m.end;
  }
  parts.push(chars.slice(at).join(''));
  return <>{parts}</>;
}

export function SearchPage({ apiKey, text, near }: { apiKey: string; text: string; near: Record<string, string> | null }) {
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (!text.trim()) return;
    setError('');
    gql<{ search: { totalCount: number; edges: Hit[] } }>(apiKey, SEARCH, { text, near, first: 25 })
      .then((d) => {
        setHits(d.search.edges);
        setTotal(d.search.totalCount);
        requestAnimationFrame(() => heading.current?.focus());
      })
      .catch((err: GraphQLError) => {
        setHits(null);
        setError(err.message);
      });
  }, [text, near?.zip, near?.city, near?.state]);
  return (
    <section class="search" aria-labelledby="search-title">
      <h2 id="search-title" ref={heading} tabIndex={-1}>Search{hits ? `: ${total} found` : ''}</h2>
      <p role="alert" class="error">{error}</p>
      {hits && (
        <ol class="hits">
          {hits.map((h) => (
            <li key={h.node.id} class="card">
              <h3>
                {h.node.name ?? h.node.title}
                {h.node.sample && <span class="badge sample">Sample record</span>}
              </h3>
              <p class="meta">
                {KIND[h.node.__typename] ?? h.node.__typename}
                {h.node.organization && <> · {h.node.organization.name}</>}
                {h.distanceKm != null && <> · {h.distanceKm.toFixed(1)} km</>}
              </p>
              <ul class="highlights">
                {h.highlights.map((x, i) => <li key={i}><span class="hint">{x.field}:</span> <Marked h={x} /></li>)}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
