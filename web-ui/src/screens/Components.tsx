import { useId, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { usePageTitle } from "../App";
import { listStateChanges, listStateViews, publishStateChange, publishStateView } from "../api/endpoints";
import type { StateChange, StateView } from "../api/types";
import { CodeEditor } from "../components/CodeEditor";
import { ErrorBox } from "../components/ErrorBox";
import { bytes, shortTime } from "../lib/format";
import { placeholders, selectorText } from "../lib/selectors";
import { useAsync } from "../lib/useAsync";

/** The latest version of each name, with how many versions it has. */
function latest<T extends { name: string; version: number }>(all: T[]): { item: T; versions: number }[] {
  const byName = new Map<string, { item: T; versions: number }>();
  for (const c of all) {
    const seen = byName.get(c.name);
    if (!seen) byName.set(c.name, { item: c, versions: 1 });
    else byName.set(c.name, { item: c.version > seen.item.version ? c : seen.item, versions: seen.versions + 1 });
  }
  return [...byName.values()].sort((a, b) => a.item.name.localeCompare(b.item.name));
}

function Publish({ db, onPublished }: { db: string; onPublished: () => void }) {
  const id = useId();
  const [kind, setKind] = useState<"view" | "change">("view");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [contentType, setContentType] = useState("application/json");
  const [selector, setSelector] = useState('{"type":"any"}');
  const [temporality, setTemporality] = useState<"revision" | "effective">("revision");
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<StateView | StateChange | null>(null);
  const [busy, setBusy] = useState(false);

  const publish = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const published =
        kind === "view"
          ? await publishStateView(
              db,
              {
                state_view_name: name,
                ...(description ? { description } : {}),
                content_type: contentType,
                event_selector: JSON.parse(selector) as unknown,
                query_temporality: temporality,
              },
              file,
            )
          : await publishStateChange(db, { state_change_name: name, ...(description ? { description } : {}) }, file);
      setDone(published);
      onPublished();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Publish</h2>
      <p className="hint">
        A WebAssembly module (.wasm) that meets the EvidentSource ABI (docs/wasm-abi.md) and its metadata.
        Publishing a name again adds the next version.
      </p>
      <form onSubmit={publish}>
        <div className="row">
          <fieldset className="segmented" style={{ padding: 0, margin: 0 }}>
            <legend className="visually-hidden">Kind</legend>
            <button type="button" aria-pressed={kind === "view"} onClick={() => setKind("view")}>
              State view
            </button>
            <button type="button" aria-pressed={kind === "change"} onClick={() => setKind("change")}>
              State change
            </button>
          </fieldset>
        </div>
        <div className="grid-2" style={{ marginTop: ".6rem" }}>
          <div className="field">
            <label htmlFor={`${id}-name`}>{kind === "view" ? "State view name" : "State change name"}</label>
            <input id={`${id}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor={`${id}-description`}>Description (optional)</label>
            <input id={`${id}-description`} type="text" value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          {kind === "view" ? (
            <>
              <div className="field">
                <label htmlFor={`${id}-content-type`}>Content type of the state</label>
                <input id={`${id}-content-type`} type="text" value={contentType} onChange={(e) => setContentType(e.target.value)} required />
              </div>
              <div className="field">
                <label htmlFor={`${id}-temporality`}>Query temporality</label>
                <select id={`${id}-temporality`} value={temporality} onChange={(e) => setTemporality(e.target.value as "revision" | "effective")}>
                  <option value="revision">revision: fold in revision order</option>
                  <option value="effective">effective: fold in effective-time order</option>
                </select>
              </div>
              <div className="field" style={{ gridColumn: "1 / -1" }}>
                <span className="label" id={`${id}-selector`}>
                  Event selector (JSON; values may hold {"{param}"} placeholders filled from read parameters)
                </span>
                <CodeEditor id="view-selector" language="json" labelledBy={`${id}-selector`} value={selector} onChange={setSelector} minLines={2} />
              </div>
            </>
          ) : null}
          <div className="field">
            <label htmlFor={`${id}-wasm`}>Module (.wasm)</label>
            <input id={`${id}-wasm`} type="file" accept=".wasm,application/wasm" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
          </div>
        </div>
        <div className="row" style={{ marginTop: ".6rem" }}>
          <button type="submit" className="primary" disabled={busy || !file || !name}>
            Publish {kind === "view" ? "state view" : "state change"}
          </button>
        </div>
      </form>
      <ErrorBox error={error} title="Not published" />
      {done ? (
        <div className="alert ok" role="status" data-testid="publish-result">
          Published {done.name} version {done.version}.
        </div>
      ) : null}
    </section>
  );
}

export function Components() {
  const { db = "" } = useParams();
  usePageTitle(`State views and changes of ${db}`);
  const [search] = useSearchParams();
  const travel = new URLSearchParams();
  for (const k of ["revision", "as_of_effective_time"]) {
    const v = search.get(k);
    if (v) travel.set(k, v);
  }
  const travelQuery = travel.toString() ? "?" + travel : "";
  const views = useAsync((signal) => listStateViews(db, signal), [db]);
  const changes = useAsync((signal) => listStateChanges(db, signal), [db]);
  const base = `/databases/${encodeURIComponent(db)}`;
  return (
    <>
      <h1>State views and state changes</h1>
      <section className="card" aria-labelledby="views-title">
        <h2 id="views-title">State views</h2>
        <ErrorBox error={views.error} />
        {views.data && views.data.length === 0 ? <p>No state views yet: publish one below.</p> : null}
        {views.data && views.data.length > 0 ? (
          <table className="data" aria-label="State views">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Versions
                </th>
                <th scope="col">Event selector</th>
                <th scope="col">Parameters</th>
                <th scope="col">Content type</th>
                <th scope="col">Temporality</th>
                <th scope="col">Published</th>
                <th scope="col">Module</th>
              </tr>
            </thead>
            <tbody>
              {latest(views.data).map(({ item, versions }) => (
                <tr key={item.name}>
                  <td>
                    <Link to={`${base}/state-views/${encodeURIComponent(item.name)}${travelQuery}`}>{item.name}</Link>
                    {item.description ? <div className="hint">{item.description}</div> : null}
                  </td>
                  <td className="num">{versions} (latest {item.version})</td>
                  <td className="mono">{selectorText(item.event_selector)}</td>
                  <td className="mono">{placeholders(item.event_selector).join(", ") || "—"}</td>
                  <td className="mono">{item.content_type}</td>
                  <td>{item.query_temporality}</td>
                  <td title={item.created_at}>{shortTime(item.created_at)}</td>
                  <td className="mono" title={`SHA-256 ${item.module_sha256}`}>
                    {bytes(item.module_size)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <section className="card" aria-labelledby="changes-title">
        <h2 id="changes-title">State changes</h2>
        <ErrorBox error={changes.error} />
        {changes.data && changes.data.length === 0 ? <p>No state changes yet: publish one below.</p> : null}
        {changes.data && changes.data.length > 0 ? (
          <table className="data" aria-label="State changes">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Versions
                </th>
                <th scope="col">Description</th>
                <th scope="col">Published</th>
                <th scope="col">Module</th>
              </tr>
            </thead>
            <tbody>
              {latest(changes.data).map(({ item, versions }) => (
                <tr key={item.name}>
                  <td>
                    <Link to={`${base}/state-changes/${encodeURIComponent(item.name)}`}>{item.name}</Link>
                  </td>
                  <td className="num">{versions} (latest {item.version})</td>
                  <td>{item.description ?? ""}</td>
                  <td title={item.created_at}>{shortTime(item.created_at)}</td>
                  <td className="mono" title={`SHA-256 ${item.module_sha256}`}>
                    {bytes(item.module_size)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <Publish
        db={db}
        onPublished={() => {
          views.reload();
          changes.reload();
        }}
      />
    </>
  );
}
