import { Link, useParams } from "react-router";
import { usePageTitle } from "../App";
import { getEvent } from "../api/endpoints";
import type { StoredEvent } from "../api/types";
import { CopyButton } from "../components/CopyButton";
import { ErrorBox } from "../components/ErrorBox";
import { JsonTree } from "../components/JsonTree";
import { CONTEXT_ATTRIBUTES, dataView, extensions, hexDump } from "../lib/format";
import { useAsync } from "../lib/useAsync";

function text(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function Attribute({ name, value, note }: { name: string; value: unknown; note?: string }) {
  return (
    <>
      <dt>
        {name}
        {note ? <span className="hint"> ({note})</span> : null}
      </dt>
      <dd>{text(value)}</dd>
      <dd>
        <CopyButton text={text(value)} label={name} />
      </dd>
    </>
  );
}

function Data({ event }: { event: StoredEvent }) {
  const view = dataView(event);
  switch (view.kind) {
    case "none":
      return <p className="hint">This event has no data.</p>;
    case "json": {
      const pretty = JSON.stringify(view.value, null, 2);
      return (
        <>
          <div className="row center">
            <span className="hint">JSON ({event.datacontenttype ?? "no datacontenttype: JSON"})</span>
            <CopyButton text={pretty} label="data as JSON" />
          </div>
          <JsonTree value={view.value} label="Event data" />
          <details>
            <summary>Raw JSON</summary>
            <pre tabIndex={0}>{pretty}</pre>
          </details>
        </>
      );
    }
    case "text":
      return (
        <>
          <div className="row center">
            <span className="hint">Text ({event.datacontenttype})</span>
            <CopyButton text={view.text} label="data" />
          </div>
          <pre tabIndex={0}>{view.text}</pre>
        </>
      );
    case "binary":
      return (
        <>
          <div className="row center">
            <span className="hint">
              Binary, {view.bytes.length} bytes ({event.datacontenttype ?? "no datacontenttype"})
            </span>
            <CopyButton text={view.base64} label="data as base64" />
          </div>
          <h3>Hex</h3>
          <pre aria-label="Data in hex" tabIndex={0}>
            {hexDump(view.bytes)}
          </pre>
          <h3>Base64</h3>
          <pre aria-label="Data in base64" tabIndex={0} style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
            {view.base64}
          </pre>
        </>
      );
  }
}

export function EventDetail() {
  const { db = "", revision = "" } = useParams();
  const number = Number(revision);
  usePageTitle(`Event ${revision} of ${db}`);
  const event = useAsync((signal) => getEvent(db, number, signal), [db, number]);
  const e = event.data;
  const base = `/databases/${encodeURIComponent(db)}/events`;
  const same = (param: string, value: string) => `${base}?${new URLSearchParams({ [param]: value })}`;
  return (
    <>
      <div className="row center" style={{ justifyContent: "space-between" }}>
        <h1>Event at revision {revision}</h1>
        <nav className="row center" aria-label="Neighbouring events">
          {number > 1 ? (
            <Link className="button small" to={`${base}/${number - 1}`}>
              ← Revision {number - 1}
            </Link>
          ) : null}
          <Link className="button small" to={`${base}/${number + 1}`}>
            Revision {number + 1} →
          </Link>
        </nav>
      </div>
      <ErrorBox error={event.error} />
      {event.loading && !e ? <p role="status">Loading…</p> : null}
      {e ? (
        <>
          <nav className="row center" aria-label="Related events" style={{ marginBottom: "1rem" }}>
            {e.subject !== undefined ? (
              <Link className="button" to={same("subject", e.subject)}>
                Same subject
              </Link>
            ) : (
              <Link className="button" to={`${base}?${new URLSearchParams({ q: "subject IS NULL" })}`}>
                Also without subject
              </Link>
            )}
            <Link className="button" to={same("stream", e.source)}>
              Same stream
            </Link>
            <Link className="button" to={same("type", e.type)}>
              Same type
            </Link>
            {(e.tags ?? "")
              .split(",")
              .filter((t) => t)
              .map((t) => (
                <Link key={t} className="button" to={same("tag", t)}>
                  Tag {t}
                </Link>
              ))}
            <CopyButton text={JSON.stringify(e, null, 2)} label="event as JSON" />
          </nav>
          <div className="grid-2">
            <section className="card" aria-labelledby="attributes-title">
              <h2 id="attributes-title">CloudEvents attributes</h2>
              <dl className="kv">
                {CONTEXT_ATTRIBUTES.filter((a) => e[a] !== undefined).map((a) => (
                  <Attribute
                    key={a}
                    name={a}
                    value={e[a]}
                    note={a === "source" ? "stream" : a === "time" ? "effective time" : undefined}
                  />
                ))}
              </dl>
              <h3>Extensions</h3>
              <dl className="kv">
                <Attribute name="revision" value={e.revision} note="set by the server" />
                <Attribute name="recordedtime" value={e.recordedtime} note="set by the server" />
                {extensions(e).map(([k, v]) => (
                  <Attribute key={k} name={k} value={v} />
                ))}
              </dl>
            </section>
            <section className="card" aria-labelledby="data-title">
              <h2 id="data-title">Data</h2>
              <Data event={e} />
            </section>
          </div>
        </>
      ) : null}
    </>
  );
}
