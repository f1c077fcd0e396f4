import { useMemo } from "react";
import { Link, useParams } from "react-router";
import { usePageTitle } from "../App";
import { getDatabase, getEvent, queryEvents, serverInfo } from "../api/endpoints";
import type { StoredEvent } from "../api/types";
import { ErrorBox } from "../components/ErrorBox";
import { LineChart, type Series } from "../components/LineChart";
import { age, bytes, commits, count, sampleRevisions, shortTime } from "../lib/format";
import { useAsync } from "../lib/useAsync";

const CHART_POINTS = 48;
const RECENT_EVENTS = 200;

/** Runs `tasks` with at most `width` at a time, keeping their order. */
async function limited<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  return out;
}

/**
 * Count and rate over time from a sample of revisions spread over the whole history: the event
 * at revision r was committed at its recordedtime, when the database held r events.
 */
function useGrowth(db: string, head: number | undefined) {
  return useAsync(
    async (signal) => {
      if (!head) return null;
      const revisions = sampleRevisions(head, CHART_POINTS);
      const events = await limited(
        revisions.map((r) => () => getEvent(db, r, signal)),
        6,
      );
      const times = events.map((e) => Date.parse(e.recordedtime) / 1000);
      const counts = events.map((e) => e.revision);
      const rates = counts.map((c, i) => {
        if (i === 0) return null;
        const dt = times[i]! - times[i - 1]!;
        return dt > 0 ? (c - counts[i - 1]!) / dt : null;
      });
      return { times, counts, rates };
    },
    [db, head],
  );
}

function ServerPanel() {
  const info = useAsync((signal) => serverInfo(signal), []);
  return (
    <section className="card" aria-labelledby="server-title">
      <h2 id="server-title">Server</h2>
      <ErrorBox error={info.error} />
      {info.data ? (
        <dl className="kv" style={{ gridTemplateColumns: "max-content 1fr" }}>
          <dt>Version</dt>
          <dd data-testid="server-version">{info.data.version}</dd>
          <dt>Profiles (storage)</dt>
          <dd data-testid="server-profiles">{info.data.profiles.join(", ")}</dd>
          {Object.entries(info.data.limits).map(([k, v]) => (
            <Limit key={k} name={k} value={v} />
          ))}
        </dl>
      ) : null}
    </section>
  );
}

/** A limit with its unit: `_bytes` as a size, `_ms` as a duration, else a count. */
function Limit({ name, value }: { name: string; value: number }) {
  const shown = name.endsWith("_bytes") ? bytes(value) : name.endsWith("_ms") ? `${count(value / 1000)} s` : count(value);
  const label = name.replace(/_(bytes|ms)$/, "").replaceAll("_", " ");
  return (
    <>
      <dt>{label}</dt>
      <dd>{shown}</dd>
    </>
  );
}

export function Overview() {
  const { db = "" } = useParams();
  usePageTitle(`Overview of ${db}`);
  const database = useAsync((signal) => getDatabase(db, signal), [db]);
  const head = database.data?.revision;
  const growth = useGrowth(db, head);
  const recent = useAsync(
    (signal) =>
      head ? queryEvents(db, { direction: "backward", limit: RECENT_EVENTS, revision: head }, signal) : Promise.resolve(null),
    [db, head],
  );
  const groups = useMemo(() => commits(recent.data?.events ?? []).slice(0, 12), [recent.data]);
  const series = useMemo<Series[]>(
    () =>
      growth.data
        ? [
            { label: "Events", values: growth.data.counts, color: "--accent" },
            { label: "Events per second", values: growth.data.rates, color: "--syntax-number", right: true },
          ]
        : [],
    [growth.data],
  );
  const base = `/databases/${encodeURIComponent(db)}`;
  const d = database.data;
  return (
    <>
      <h1>
        Overview of <span className="mono">{db}</span>
      </h1>
      <ErrorBox error={database.error} />
      {d ? (
        <div className="stats">
          <div className="stat">
            <div className="label">Events</div>
            <div className="value" data-testid="event-count">
              {count(d.revision)}
            </div>
          </div>
          <div className="stat">
            <div className="label">Head revision</div>
            <div className="value">{d.revision}</div>
          </div>
          <div className="stat">
            <div className="label">Last commit</div>
            <div className="value" title={d.revision_time ?? ""}>
              {d.revision > 0 ? age(d.revision_time) : "—"}
            </div>
          </div>
          <div className="stat">
            <div className="label">Created</div>
            <div className="value" title={d.created_at}>
              {shortTime(d.created_at)}
            </div>
          </div>
        </div>
      ) : null}
      <div className="grid-2">
        <section className="card" aria-labelledby="growth-title">
          <h2 id="growth-title">Events over time</h2>
          <ErrorBox error={growth.error} />
          {head === 0 ? <p>No events yet. <Link to={`${base}/append`}>Append some</Link>.</p> : null}
          {growth.data ? (
            <>
              <LineChart
                times={growth.data.times}
                series={series}
                label={`Event count of ${db} over time: ${count(head ?? 0)} events now`}
              />
              <p className="hint">
                Count by commit time from {growth.data.times.length} revisions sampled over the whole history; the rate is
                events per second between samples.
              </p>
            </>
          ) : null}
        </section>
        <section className="card" aria-labelledby="recent-title">
          <h2 id="recent-title">Latest transactions</h2>
          <ErrorBox error={recent.error} />
          {groups.length > 0 ? (
            <table className="data" aria-label="Latest transactions">
              <thead>
                <tr>
                  <th scope="col">Revisions</th>
                  <th scope="col">Committed</th>
                  <th scope="col" className="num">
                    Events
                  </th>
                  <th scope="col">Types</th>
                </tr>
              </thead>
              <tbody>
                {groups.map((g) => (
                  <tr key={g.first}>
                    <td>
                      <Link to={`${base}/events/${g.first}`}>{g.first === g.last ? g.first : `${g.first}–${g.last}`}</Link>
                    </td>
                    <td title={g.recordedtime}>{shortTime(g.recordedtime)}</td>
                    <td className="num">{g.events.length}</td>
                    <td>{summary(g.events)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <p className="hint">Events committed together share one recorded time; the last {RECENT_EVENTS} events are grouped.</p>
        </section>
      </div>
      <ServerPanel />
    </>
  );
}

function summary(events: StoredEvent[]): string {
  const types = [...new Set(events.map((e) => e.type))];
  return types.slice(0, 3).join(", ") + (types.length > 3 ? ` and ${types.length - 3} more` : "");
}
