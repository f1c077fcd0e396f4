import { useEffect, useId, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { usePageTitle } from "../App";
import { dryRunCommand, executeCommand, type CommandOptions } from "../api/endpoints";
import type { CommandResult, DryRunResult, StateChange } from "../api/types";
import { CodeEditor } from "../components/CodeEditor";
import { ComponentHeader, useVersions, VersionSelect } from "../components/ComponentVersions";
import { ConditionTable } from "../components/ConditionTable";
import { ErrorBox } from "../components/ErrorBox";
import { JsonTree } from "../components/JsonTree";

/** Brings a newly shown result into view. */
function useShown<T extends HTMLElement>(what: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    // (a block body: newer browsers return a promise from scrollIntoView, not a cleanup)
    void ref.current?.scrollIntoView({ block: "nearest" });
  }, [what]);
  return ref;
}

function DryRun({ result }: { result: DryRunResult }) {
  const n = result.events.length;
  const ref = useShown<HTMLElement>(result);
  return (
    <section className="card" aria-labelledby="dry-run-title" data-testid="dry-run-result" ref={ref}>
      <h2 id="dry-run-title">Dry run: nothing was appended</h2>
      <p role="status">
        Decided at basis revision {result.basis_revision}: it would append {n} {n === 1 ? "event" : "events"}
        {result.conditions.length > 0
          ? result.conditions.every((c) => c.holds)
            ? ", and every condition holds now."
            : ", but a condition fails now: executing it would be refused."
          : " without conditions."}
      </p>
      <h3>Conditions</h3>
      <ConditionTable checks={result.conditions} label="Conditions of the decision" />
      <h3>Events it would append</h3>
      {n === 0 ? <p className="hint">None.</p> : <JsonTree value={result.events} label="Events of the decision" expandAll />}
    </section>
  );
}

function Executed({ db, result }: { db: string; result: CommandResult }) {
  const tx = result.transaction;
  const ref = useShown<HTMLElement>(result);
  return (
    <section className="card" aria-labelledby="executed-title" data-testid="execute-result" ref={ref}>
      <h2 id="executed-title">Executed</h2>
      <p role="status">
        {tx
          ? `${tx.duplicate ? "Already executed (same idempotency key): " : "Appended "}${tx.event_count} ${
              tx.event_count === 1 ? "event" : "events"
            }, revisions ${tx.first_revision}–${tx.revision}, decided at basis revision ${result.basis_revision}.`
          : `The decision had no events; nothing was appended (basis revision ${result.basis_revision}).`}
      </p>
      {result.events.length > 0 ? (
        <ul>
          {result.events.map((e) => (
            <li key={e.revision}>
              <Link to={`/databases/${encodeURIComponent(db)}/events/${e.revision}`}>Revision {e.revision}</Link>: {e.type}
              {e.subject ? ` · ${e.subject}` : ""}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function CommandRunner() {
  const { db = "", name = "" } = useParams();
  usePageTitle(`State change ${name}`);
  const id = useId();
  const versions = useVersions<StateChange>(db, "state-changes", name);
  const [version, setVersion] = useState("");
  const [contentType, setContentType] = useState("application/json");
  const [body, setBody] = useState("{}");
  const [key, setKey] = useState("");
  const [dry, setDry] = useState<DryRunResult | null>(null);
  const [executed, setExecuted] = useState<CommandResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const all = versions.data ?? [];
  const latest = all[all.length - 1];

  const options = (): CommandOptions => ({
    version: version ? Number(version) : undefined,
    contentType,
    body,
    idempotencyKey: key.trim() || undefined,
  });

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    if (dryRun) setDry(null);
    setExecuted(null);
    try {
      if (dryRun) setDry(await dryRunCommand(db, name, options()));
      else setExecuted(await executeCommand(db, name, options()));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ComponentHeader db={db} kind="state-changes" name={name} error={versions.error} />
      {latest ? (
        <section className="card" aria-labelledby={`${id}-title`}>
          <h2 id={`${id}-title`}>Command</h2>
          <p className="hint">
            {latest.description ? `${latest.description}. ` : ""}A dry run decides on the current state and checks
            the conditions, but appends nothing; Execute decides again and appends.
          </p>
          <div className="row">
            <VersionSelect id={`${id}-version`} versions={all} value={version} onChange={setVersion} />
            <div className="field">
              <label htmlFor={`${id}-type`}>Content type</label>
              <input id={`${id}-type`} type="text" value={contentType} onChange={(e) => setContentType(e.target.value)} />
            </div>
            <div className="field" style={{ flex: 1 }}>
              <label htmlFor={`${id}-key`}>Idempotency key (optional UUID: a retry executes once)</label>
              <div className="row">
                <input id={`${id}-key`} type="text" value={key} onChange={(e) => setKey(e.target.value)} style={{ flex: 1 }} autoComplete="off" />
                <button type="button" className="small" onClick={() => setKey(crypto.randomUUID())}>
                  Generate
                </button>
              </div>
            </div>
          </div>
          <div className="field" style={{ marginTop: ".6rem" }}>
            <span className="label" id={`${id}-body`}>
              Command body
            </span>
            <CodeEditor id="command-body" language="json" labelledBy={`${id}-body`} value={body} onChange={setBody} minLines={8} />
          </div>
          <div className="row" style={{ marginTop: ".6rem" }}>
            <button type="button" onClick={() => run(true)} disabled={busy}>
              Dry run
            </button>
            <button type="button" className="primary" onClick={() => run(false)} disabled={busy}>
              Execute
            </button>
          </div>
          <ErrorBox error={error} />
        </section>
      ) : versions.loading ? (
        <p role="status">Loading…</p>
      ) : null}
      {dry ? <DryRun result={dry} /> : null}
      {executed ? <Executed db={db} result={executed} /> : null}
    </>
  );
}
