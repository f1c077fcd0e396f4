// The live tail: Server-Sent Events for the current filter. Pausing keeps the subscription and
// holds what arrives (the counter shows how many), so resuming shows them in order without a gap.
// A reconnect resumes after the last revision received (EventSource sends Last-Event-ID).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { usePageTitle } from "../App";
import { liveUrl, queryEvents } from "../api/endpoints";
import type { Problem, StoredEvent } from "../api/types";
import { ErrorBox } from "../components/ErrorBox";
import { EventsTable } from "../components/EventsTable";
import { FilterBar } from "../components/FilterBar";
import { filtersFromUrl, selectorParams, toUrl, type EventFilters } from "../lib/filters";
import { count } from "../lib/format";
import { qErrorOf } from "./Events";

/** Rows kept on screen; older ones scroll away. */
const SHOWN = 5000;
/** Events held while paused before the subscription is closed (resume reopens it after them). */
const HELD = 10000;

type Status = "connecting" | "live" | "reconnecting" | "paused" | "ended";

export function Live() {
  const { db = "" } = useParams();
  usePageTitle(`Live tail of ${db}`);
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromUrl(search), [search]);
  const fromRevision = search.get("from_revision");
  const selector = useMemo(() => selectorParams(filters), [filters]);

  const [shown, setShown] = useState<StoredEvent[]>([]);
  const [missed, setMissed] = useState(0);
  const [overflow, setOverflow] = useState(false);
  const [status, setStatus] = useState<Status>("connecting");
  const [error, setError] = useState<unknown>(null);
  const [serverEnd, setServerEnd] = useState<Problem | null>(null);
  const [paused, setPaused] = useState(false);

  const source = useRef<EventSource | null>(null);
  const held = useRef<StoredEvent[]>([]);
  const pausedRef = useRef(false);
  const last = useRef(0);

  const open = useCallback(
    (from: number | null) => {
      source.current?.close();
      const params = new URLSearchParams(selector);
      if (from !== null) params.set("from_revision", String(from));
      const es = new EventSource(liveUrl(db, params), { withCredentials: true });
      source.current = es;
      setStatus(pausedRef.current ? "paused" : "connecting");
      es.onopen = () => setStatus(pausedRef.current ? "paused" : "live");
      es.onmessage = (m: MessageEvent<string>) => {
        const event = JSON.parse(m.data) as StoredEvent;
        if (event.revision <= last.current) return; // never twice
        last.current = event.revision;
        if (pausedRef.current) {
          held.current.push(event);
          setMissed(held.current.length);
          if (held.current.length >= HELD) {
            es.close(); // reopened after the held events on resume
            setOverflow(true);
          }
        } else {
          setShown((rows) => [event, ...rows].slice(0, SHOWN));
        }
      };
      es.addEventListener("error", (e) => {
        if (e instanceof MessageEvent && typeof e.data === "string" && e.data) {
          // the server ended the subscription and said why
          setServerEnd(JSON.parse(e.data) as Problem);
          setStatus("ended");
          es.close();
        } else if (es.readyState === EventSource.CONNECTING) {
          setStatus("reconnecting");
        } else if (es.readyState === EventSource.CLOSED && source.current === es) {
          setStatus("ended");
        }
      });
    },
    [db, selector],
  );

  // a new filter: check it with a one-event query (so errors come back as problems, with the
  // column of a q syntax error), then subscribe
  useEffect(() => {
    const controller = new AbortController();
    setShown([]);
    setMissed(0);
    setOverflow(false);
    setServerEnd(null);
    setError(null);
    held.current = [];
    last.current = 0;
    const probe = new URLSearchParams(selector);
    probe.set("limit", "1");
    queryEvents(db, probe, controller.signal)
      .then(() => open(fromRevision !== null && /^\d+$/.test(fromRevision) ? Number(fromRevision) : null))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) {
          setError(e);
          setStatus("ended");
        }
      });
    return () => {
      controller.abort();
      source.current?.close();
      source.current = null;
    };
  }, [db, selector, fromRevision, open]);

  const pause = () => {
    pausedRef.current = true;
    setPaused(true);
    setStatus("paused");
  };

  const resume = () => {
    pausedRef.current = false;
    setPaused(false);
    const events = held.current;
    held.current = [];
    setMissed(0);
    setShown((rows) => [...events.reverse(), ...rows].slice(0, SHOWN));
    if (overflow) {
      setOverflow(false);
      open(last.current + 1);
    } else {
      setStatus(source.current?.readyState === EventSource.OPEN ? "live" : "connecting");
    }
  };

  const applyFilters = (f: EventFilters) => {
    const next = toUrl({ ...f, direction: "backward", order: "revision" });
    if (fromRevision) next.set("from_revision", fromRevision);
    setSearch(next);
  };

  const setFrom = (value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set("from_revision", value);
    else next.delete("from_revision");
    setSearch(next);
  };

  return (
    <>
      <div className="row center" style={{ justifyContent: "space-between" }}>
        <h1 style={{ marginBottom: ".5rem" }}>Live tail</h1>
        <Link className="button" to={`/databases/${encodeURIComponent(db)}/events?${toUrl(filters)}`}>
          Query these events
        </Link>
      </div>
      <FilterBar filters={filters} onApply={applyFilters} qError={qErrorOf(error)} />
      <div className="card row center" style={{ justifyContent: "space-between" }}>
        <div className="row center">
          <span className={`badge ${status === "live" ? "live" : status === "paused" ? "paused" : ""}`} role="status" data-testid="live-status">
            {status === "live" ? "● Live" : status === "paused" ? "Paused" : status === "connecting" ? "Connecting…" : status === "reconnecting" ? "Reconnecting…" : "Ended"}
          </span>
          {paused ? (
            <button type="button" className="primary" onClick={resume}>
              Resume
            </button>
          ) : (
            <button type="button" onClick={pause} disabled={status === "ended"}>
              Pause
            </button>
          )}
          <span aria-live="polite" data-testid="missed">
            {paused || missed > 0
              ? `${overflow ? `more than ${count(missed)}` : count(missed)} missed while paused`
              : ""}
          </span>
        </div>
        <div className="field">
          <label htmlFor="from-revision">From revision (inclusive; empty: new events only)</label>
          <input
            id="from-revision"
            type="number"
            min={1}
            defaultValue={fromRevision ?? ""}
            onBlur={(e) => setFrom(e.target.value)}
            onKeyDown={(e) => e.key === "Enter" && setFrom((e.target as HTMLInputElement).value)}
            style={{ width: "9rem" }}
          />
        </div>
      </div>
      {qErrorOf(error) ? null : <ErrorBox error={error} />}
      {serverEnd ? (
        <div className="alert error" role="alert">
          The server ended the live tail: {serverEnd.detail ?? serverEnd.title} <span className="code">({serverEnd.code})</span>
        </div>
      ) : null}
      <div className="table-status" role="status" data-testid="live-count">
        {count(shown.length)} {shown.length === 1 ? "event" : "events"} shown, newest first
        {shown.length >= SHOWN ? ` (the latest ${count(SHOWN)})` : ""}
      </div>
      <EventsTable database={db} rows={shown} label="Live events" />
    </>
  );
}
