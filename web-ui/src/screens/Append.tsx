import { useId, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { usePageTitle } from "../App";
import { bulkLoad, transact } from "../api/endpoints";
import type { BulkLoadResult, Condition, TransactionResult } from "../api/types";
import { CodeEditor } from "../components/CodeEditor";
import { ConditionTable } from "../components/ConditionTable";
import { ErrorBox } from "../components/ErrorBox";
import { checkConditions, type ConditionReport } from "../lib/conditions";
import { bytes, count } from "../lib/format";
import { eventsSent, indexLines, type LineIndex } from "../lib/ndjson";

function sampleEvents(): string {
  const id = crypto.randomUUID();
  return JSON.stringify(
    [
      {
        specversion: "1.0",
        id,
        source: "https://shop.example/orders",
        type: "OrderPlaced",
        subject: "order-1",
        tags: "customer:c7",
        datacontenttype: "application/json",
        data: { total: 42 },
      },
    ],
    null,
    2,
  );
}

const SAMPLE_CONDITIONS = JSON.stringify(
  [{ type: "max", revision: 0, selector: { type: "equals", attr: { subject: "order-1" } } }],
  null,
  2,
);

function parseArray(text: string, what: string): unknown[] {
  if (text.trim() === "") return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object") return [value];
  throw new Error(`${what} must be a JSON array (or one object)`);
}

function Compose({ db }: { db: string }) {
  const id = useId();
  const [events, setEvents] = useState(sampleEvents);
  const [conditions, setConditions] = useState(SAMPLE_CONDITIONS);
  const [transactionId, setTransactionId] = useState("");
  const [report, setReport] = useState<ConditionReport | null>(null);
  const [result, setResult] = useState<TransactionResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const check = async () => {
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await checkConditions(db, parseArray(conditions, "Conditions") as Condition[]));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const append = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const body = {
        events: parseArray(events, "Events"),
        conditions: parseArray(conditions, "Conditions") as Condition[],
        ...(transactionId.trim() ? { transaction_id: transactionId.trim() } : {}),
      };
      setResult(await transact(db, body));
      setReport(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Compose a transaction</h2>
      <p className="hint">
        One or more CloudEvents, appended atomically, only if every condition holds at commit time.
        POST /api/v1/databases/{db}/transactions.
      </p>
      <div className="grid-2">
        <div className="field">
          <span className="label" id={`${id}-events`}>
            Events (JSON array of CloudEvents)
          </span>
          <CodeEditor id="events-json" language="json" labelledBy={`${id}-events`} value={events} onChange={setEvents} minLines={12} onSubmit={append} />
          <div className="row">
            <button type="button" className="small" onClick={() => setEvents(sampleEvents())}>
              New sample event
            </button>
          </div>
        </div>
        <div className="field">
          <span className="label" id={`${id}-conditions`}>
            Conditions (JSON array; max, min or range over an event selector)
          </span>
          <CodeEditor id="conditions-json" language="json" labelledBy={`${id}-conditions`} value={conditions} onChange={setConditions} minLines={8} />
          <p className="hint">
            L is the highest revision of an event matching the selector (0 if none): max holds when
            L ≤ revision, min when L ≥ revision, range when start ≤ L ≤ end.
          </p>
          <div className="field">
            <label htmlFor={`${id}-txid`}>Transaction id (optional UUID; a retry with it appends nothing twice)</label>
            <div className="row">
              <input id={`${id}-txid`} type="text" value={transactionId} onChange={(e) => setTransactionId(e.target.value)} style={{ flex: 1 }} autoComplete="off" />
              <button type="button" className="small" onClick={() => setTransactionId(crypto.randomUUID())}>
                Generate
              </button>
            </div>
          </div>
        </div>
      </div>
      <div className="row" style={{ marginTop: ".75rem" }}>
        <button type="button" onClick={check} disabled={busy}>
          Would the conditions pass now?
        </button>
        <button type="button" className="primary" onClick={append} disabled={busy}>
          Append transaction
        </button>
      </div>
      {report ? (
        <div data-testid="condition-report" style={{ marginTop: ".75rem" }}>
          <p role="status">
            Checked at revision {report.revision}:{" "}
            {report.checks.every((c) => c.holds) ? "every condition holds now." : "some conditions would fail now."}
          </p>
          <ConditionTable checks={report.checks} label="Condition check" />
        </div>
      ) : null}
      <ErrorBox error={error} title="The transaction was not appended" />
      {result ? (
        <div className="alert ok" role="status" data-testid="transaction-result">
          {result.duplicate ? "Already appended earlier (same transaction id): " : "Appended "}
          {result.event_count} {result.event_count === 1 ? "event" : "events"}, revisions {result.first_revision}–{result.revision}, at{" "}
          {result.recorded_time}.{" "}
          <Link to={`/databases/${encodeURIComponent(db)}/events/${result.first_revision}`}>Open the first event</Link>
        </div>
      ) : null}
    </section>
  );
}

type UploadState =
  | { phase: "idle" }
  | { phase: "scanning" }
  | { phase: "ready"; index: LineIndex }
  | { phase: "sending"; index: LineIndex; sent: number }
  | { phase: "storing"; index: LineIndex }
  | { phase: "done"; index: LineIndex; result: BulkLoadResult }
  | { phase: "failed"; index: LineIndex; error: unknown };

function Upload({ db }: { db: string }) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<UploadState>({ phase: "idle" });

  const choose = async (f: File | null) => {
    setFile(f);
    if (!f) return setState({ phase: "idle" });
    setState({ phase: "scanning" });
    setState({ phase: "ready", index: await indexLines(f) });
  };

  const load = async () => {
    if (!file || !("index" in state)) return;
    const index = state.index;
    setState({ phase: "sending", index, sent: 0 });
    try {
      const result = await bulkLoad(db, file, (sent) =>
        setState((s) => (s.phase === "sending" && sent < index.bytes ? { ...s, sent } : { phase: "storing", index })),
      );
      setState({ phase: "done", index, result });
    } catch (error) {
      setState({ phase: "failed", index, error });
    }
  };

  const progress = useMemo(() => {
    switch (state.phase) {
      case "sending":
        return { value: eventsSent(state.index, state.sent), text: "sent" };
      case "storing":
        return { value: state.index.events, text: "sent; the server is validating and storing them" };
      case "done":
        return { value: state.result.event_count, text: "stored" };
      default:
        return null;
    }
  }, [state]);

  const index = "index" in state ? state.index : null;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Bulk load an NDJSON file</h2>
      <p className="hint">
        One CloudEvent JSON object per line, appended in order. The server checks every line before
        it stores any, so a bad line is reported with its line number and nothing is stored.
      </p>
      <div className="row">
        <div className="field">
          <label htmlFor={`${id}-file`}>NDJSON file</label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".ndjson,.jsonl,application/x-ndjson,application/json"
            onChange={(e) => choose(e.target.files?.[0] ?? null)}
          />
        </div>
        <button
          type="button"
          className="primary"
          onClick={load}
          disabled={!(state.phase === "ready" || state.phase === "failed" || state.phase === "done") || !file}
        >
          Load events
        </button>
      </div>
      {state.phase === "scanning" ? <p role="status">Reading the file…</p> : null}
      {index ? (
        <p className="hint">
          {count(index.events)} events in {bytes(index.bytes)}.
        </p>
      ) : null}
      {progress && index ? (
        <div className="field" style={{ marginTop: ".5rem" }}>
          <label htmlFor={`${id}-progress`}>Bulk load progress</label>
          <progress id={`${id}-progress`} max={index.events} value={progress.value} data-testid="upload-progress" />
          <span role="status" data-testid="upload-status">
            {count(progress.value)} of {count(index.events)} events {progress.text}
          </span>
        </div>
      ) : null}
      {state.phase === "done" ? (
        <div className="alert ok" role="status" data-testid="upload-result">
          Stored {count(state.result.event_count)} events, revisions {state.result.first_revision}–{state.result.revision}.{" "}
          <Link to={`/databases/${encodeURIComponent(db)}/events`}>Browse them</Link>
        </div>
      ) : null}
      {state.phase === "failed" ? <ErrorBox error={state.error} title="The file was not loaded" /> : null}
    </section>
  );
}

export function Append() {
  const { db = "" } = useParams();
  usePageTitle(`Append to ${db}`);
  return (
    <>
      <h1>Append</h1>
      <Compose db={db} />
      <Upload db={db} />
    </>
  );
}
