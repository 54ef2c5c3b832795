import { useState } from 'preact/hooks';
import { gql, GraphQLError } from './gql';

// Logging a call sends what match was sent and the services referred to;
// the server keeps only bands of it (county, age band, needs, first-time
// parent, whether an eligible service was found) and shows what it kept.
const LOG_CALL = `mutation ConsoleLogCall($input: LogCallInput!) {
  logCall(input: $input) { callRecord { countyFips stateCode needs ageBand firstTimeParent eligibleFound referredServiceCount } }
}`;

export interface Logged {
  countyFips: string | null;
  stateCode: string | null;
  needs: string[];
  ageBand: string | null;
  firstTimeParent: boolean | null;
  eligibleFound: boolean;
  referredServiceCount: number;
}

const BANDS: Record<string, string> = {
  PRENATAL: 'prenatal', MONTHS_0_11: '0–11 months', MONTHS_12_35: '12–35 months', MONTHS_36_59: '36–59 months', MONTHS_60_PLUS: '60 months or more',
};

export function LogCall({ apiKey, family, referred, logged, setLogged }: {
  apiKey: string;
  family: Record<string, unknown>;
  referred: string[];
  logged: Logged | null;
  setLogged: (l: Logged) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  async function log() {
    setBusy(true);
    setError('');
    try {
      const d = await gql<{ logCall: { callRecord: Logged } }>(apiKey, LOG_CALL, { input: { family, referredServiceIDs: referred } });
      setLogged(d.logCall.callRecord);
    } catch (err) {
      setError((err as GraphQLError).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="logcall">
      <button type="button" onClick={log} disabled={busy || !!logged}>{logged ? 'Call logged' : busy ? 'Logging…' : 'Log this call'}</button>
      <p role="status" class="status">
        {logged && `Logged anonymously: ${logged.countyFips ? 'county ' + logged.countyFips : 'state ' + (logged.stateCode ?? 'unknown')}, ` +
          `${logged.needs.length ? logged.needs.join(', ') : 'no need named'}, age ${logged.ageBand ? BANDS[logged.ageBand] ?? logged.ageBand : 'not said'}, ` +
          `${logged.referredServiceCount} referred, ${logged.eligibleFound ? 'an eligible service found' : 'no eligible service found'}.`}
      </p>
      {error && <p role="alert" class="error">{error}</p>}
    </div>
  );
}
