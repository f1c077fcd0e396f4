import { useCallback, useEffect, useId, useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { usePageTitle } from "../App";
import { getDatabase, queryBySelector, readStateView } from "../api/endpoints";
import type { StateView, StateViewResult, StoredEvent } from "../api/types";
import { ComponentHeader, useVersions, VersionSelect } from "../components/ComponentVersions";
import { ErrorBox } from "../components/ErrorBox";
import { StateContent } from "../components/StateContent";
import { TimeTravelBar } from "../components/TimeTravelBar";
import { travelFromUrl, withTravel, type TimeTravel } from "../lib/filters";
import { shortTime } from "../lib/format";
import { fillTemplate, placeholders, selectorText } from "../lib/selectors";
import { useAsync } from "../lib/useAsync";

/** Parameters of the page URL that are not the view's own. */
const RESERVED = new Set(["version", "revision", "as_of_effective_time", "as_of_transaction_time", "format"]);
const MAX_STEPS = 1000;

function ReadResult({ result }: { result: StateViewResult }) {
  return (
    <>
      <dl className="kv" style={{ gridTemplateColumns: "max-content 1fr" }} data-testid="view-result">
        <dt>Version</dt>
        <dd>{result.version}</dd>
        <dt>Revision read at</dt>
        <dd data-testid="view-revision">{result.revision}</dd>
        <dt>Last modified at revision</dt>
        <dd>{result.last_modified_revision}</dd>
        <dt>Last modified time</dt>
        <dd>{result.last_modified_time ?? "—"}</dd>
        <dt>Content type</dt>
        <dd>{result.content_type}</dd>
      </dl>
      <h3>State</h3>
      <div data-testid="view-state">
        <StateContent result={result} label="State" />
      </div>
    </>
  );
}

/** Step through the fold: the matching events of a range, and the state after each of them. */
function FoldStepper(props: {
  db: string;
  view: StateView;
  params: Record<string, string>;
  travel: TimeTravel;
  defaultTo: number | undefined;
}) {
  const { db, view, params, travel } = props;
  const id = useId();
  const [from, setFrom] = useState("1");
  const [to, setTo] = useState("");
  const [steps, setSteps] = useState<StoredEvent[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  const [index, setIndex] = useState(0);
  const [states, setStates] = useState<Map<number, StateViewResult>>(new Map());
  const [error, setError] = useState<unknown>(null);

  const load = async () => {
    setError(null);
    setSteps(null);
    setStates(new Map());
    try {
      const selector = fillTemplate(view.event_selector, params);
      const upTo = to ? Number(to) : props.defaultTo;
      const page = await queryBySelector(db, {
        selector,
        from_revision: Math.max(1, Number(from) || 1),
        ...(upTo !== undefined ? { to_revision: upTo, revision: upTo } : {}),
        ...(travel.asOfEffectiveTime ? { as_of_effective_time: travel.asOfEffectiveTime } : {}),
        direction: "forward",
        limit: MAX_STEPS,
      });
      setSteps(page.events);
      setTruncated(page.next_page_token !== null);
      setIndex(0);
    } catch (e) {
      setError(e);
    }
  };

  const stateAt = useCallback(
    async (revision: number) => {
      if (states.has(revision)) return;
      const result = await readStateView(db, view.name, {
        version: view.version,
        params,
        revision,
        as_of_effective_time: travel.asOfEffectiveTime,
      });
      setStates((m) => new Map(m).set(revision, result));
    },
    [db, view, params, travel.asOfEffectiveTime, states],
  );

  const step = steps?.[index];
  const before = steps ? (index > 0 ? steps[index - 1]!.revision : Math.max((steps[0]?.revision ?? 1) - 1, 0)) : 0;
  useEffect(() => {
    if (!step) return;
    Promise.all([stateAt(step.revision), stateAt(before)]).catch(setError);
  }, [step, before, stateAt]);

  const after = step ? states.get(step.revision) : undefined;
  const prior = step ? states.get(before) : undefined;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Step through the fold</h2>
      <p className="hint">
        The events this view folds in a range of revisions ({selectorText(view.event_selector)}), and its state as
        known after each one (a read at that event&apos;s revision).
      </p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-from`}>From revision</label>
          <input id={`${id}-from`} type="number" min={1} value={from} onChange={(e) => setFrom(e.target.value)} style={{ width: "8rem" }} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To revision</label>
          <input
            id={`${id}-to`}
            type="number"
            min={1}
            value={to}
            placeholder={props.defaultTo !== undefined ? String(props.defaultTo) : "latest"}
            onChange={(e) => setTo(e.target.value)}
            style={{ width: "8rem" }}
          />
        </div>
        <button type="submit">Load steps</button>
      </form>
      <ErrorBox error={error} />
      {steps && steps.length === 0 ? <p>No matching events in that range.</p> : null}
      {steps && steps.length > 0 && step ? (
        <>
          <div className="stepper" role="group" aria-label="Fold steps" style={{ margin: ".6rem 0" }}>
            <button type="button" onClick={() => setIndex(0)} disabled={index === 0}>
              First
            </button>
            <button type="button" onClick={() => setIndex((i) => Math.max(i - 1, 0))} disabled={index === 0}>
              Previous
            </button>
            <span role="status" data-testid="fold-step">
              Step {index + 1} of {steps.length}
              {truncated ? ` (the first ${MAX_STEPS})` : ""}: revision {step.revision}
            </span>
            <button type="button" onClick={() => setIndex((i) => Math.min(i + 1, steps.length - 1))} disabled={index === steps.length - 1}>
              Next
            </button>
            <button type="button" onClick={() => setIndex(steps.length - 1)} disabled={index === steps.length - 1}>
              Last
            </button>
          </div>
          <div className="grid-2">
            <div>
              <div className="step-list" aria-label="Events folded">
                {steps.map((s, i) => (
                  <button type="button" key={s.revision} aria-current={i === index ? "step" : undefined} onClick={() => setIndex(i)}>
                    {s.revision} · {s.type}
                    {s.subject ? ` · ${s.subject}` : ""}
                  </button>
                ))}
              </div>
              <p>
                <Link to={`/databases/${encodeURIComponent(db)}/events/${step.revision}`}>
                  Open event {step.revision}
                </Link>{" "}
                <span className="hint">({shortTime(step.time ?? step.recordedtime)})</span>
              </p>
            </div>
            <div>
              <h3>State before (revision {before})</h3>
              <div data-testid="fold-before">{prior ? <StateContent result={prior} label="State before" /> : <p className="hint">…</p>}</div>
              <h3>State after (revision {step.revision})</h3>
              <div data-testid="fold-after">{after ? <StateContent result={after} label="State after" /> : <p className="hint">…</p>}</div>
            </div>
          </div>
        </>
      ) : null}
    </section>
  );
}

export function ViewReader() {
  const { db = "", name = "" } = useParams();
  usePageTitle(`State view ${name}`);
  const id = useId();
  const [search, setSearch] = useSearchParams();
  const travel = useMemo(() => travelFromUrl(search), [search]);
  const versionParam = search.get("version");
  const params = useMemo(() => {
    const p: Record<string, string> = {};
    search.forEach((v, k) => {
      if (!RESERVED.has(k)) p[k] = v;
    });
    return p;
  }, [search]);

  const versions = useVersions<StateView>(db, "state-views", name);
  const database = useAsync((signal) => getDatabase(db, signal), [db]);
  const all = versions.data ?? [];
  const view = all.find((v) => String(v.version) === versionParam) ?? all[all.length - 1];
  const names = view ? placeholders(view.event_selector) : [];
  const [draft, setDraft] = useState<Record<string, string>>(params);
  useEffect(() => {
    setDraft(params);
  }, [params]);
  const missing = names.filter((n) => !params[n]);

  const read = useAsync(
    (signal) =>
      view && missing.length === 0
        ? readStateView(
            db,
            name,
            { version: versionParam ? Number(versionParam) : undefined, params, revision: travel.revision, as_of_effective_time: travel.asOfEffectiveTime },
            signal,
          )
        : Promise.resolve(undefined),
    [db, name, versionParam, search.toString(), view?.version],
  );

  const applyTravel = useCallback((t: TimeTravel) => setSearch(withTravel(search, t), { replace: true }), [search, setSearch]);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    search.forEach((v, k) => RESERVED.has(k) && next.set(k, v));
    for (const n of names) if (draft[n]) next.set(n, draft[n]);
    setSearch(next);
    read.reload();
  };

  return (
    <>
      <ComponentHeader db={db} kind="state-views" name={name} error={versions.error} />
      {view ? (
        <>
          <section className="card" aria-labelledby={`${id}-read`}>
            <h2 id={`${id}-read`}>Read</h2>
            <p className="hint">
              Folds {selectorText(view.event_selector)} in {view.query_temporality === "effective" ? "effective-time" : "revision"} order
              {view.description ? ` — ${view.description}` : ""}.
            </p>
            <form className="row" onSubmit={submit}>
              <VersionSelect
                id={`${id}-version`}
                versions={all}
                value={versionParam ?? ""}
                onChange={(value) => {
                  const next = new URLSearchParams(search);
                  if (value) next.set("version", value);
                  else next.delete("version");
                  setSearch(next);
                }}
              />
              {names.map((n) => (
                <div className="field" key={n}>
                  <label htmlFor={`${id}-p-${n}`}>Parameter {n}</label>
                  <input id={`${id}-p-${n}`} type="text" value={draft[n] ?? ""} onChange={(e) => setDraft((d) => ({ ...d, [n]: e.target.value }))} required />
                </div>
              ))}
              <button type="submit" className="primary">
                Read
              </button>
            </form>
          </section>
          <TimeTravelBar head={database.data?.revision} travel={travel} onChange={applyTravel} />
          <section className="card" aria-labelledby={`${id}-state`}>
            <h2 id={`${id}-state`}>State</h2>
            {missing.length > 0 ? <p>Give the parameters {missing.join(", ")} and read.</p> : null}
            <ErrorBox error={read.error} />
            {read.loading ? <p role="status">Reading…</p> : null}
            {read.data ? <ReadResult result={read.data} /> : null}
          </section>
          {missing.length === 0 ? (
            <FoldStepper db={db} view={view} params={params} travel={travel} defaultTo={read.data?.revision} />
          ) : null}
        </>
      ) : versions.loading ? (
        <p role="status">Loading…</p>
      ) : null}
    </>
  );
}
