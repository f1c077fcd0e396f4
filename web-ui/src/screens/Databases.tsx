import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { usePageTitle } from "../App";
import { createDatabase, deleteDatabase, listDatabases } from "../api/endpoints";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorBox } from "../components/ErrorBox";
import { age, count, shortTime } from "../lib/format";
import { useAsync } from "../lib/useAsync";

const NAME_RULE = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function Databases() {
  usePageTitle("Databases");
  const navigate = useNavigate();
  const databases = useAsync((signal) => listDatabases(signal), []);
  const [name, setName] = useState("");
  const [createError, setCreateError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");

  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setCreateError(null);
    try {
      const created = await createDatabase(name.trim());
      navigate(`/databases/${encodeURIComponent(created.name)}`);
    } catch (error) {
      setCreateError(error);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (db: string) => {
    setDeleting(null);
    setDeleteError(null);
    try {
      await deleteDatabase(db);
      setNotice(`Database ${db} deleted.`);
      databases.reload();
    } catch (error) {
      setDeleteError(error);
    }
  };

  const list = databases.data ?? [];
  const valid = NAME_RULE.test(name.trim());
  return (
    <>
      <h1>Databases</h1>
      <section className="card" aria-labelledby="create-title">
        <h2 id="create-title">Create a database</h2>
        <form className="row" onSubmit={create}>
          <div className="field">
            <label htmlFor="new-database">Name</label>
            <input
              id="new-database"
              type="text"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="orders"
              aria-describedby="name-rule"
              autoComplete="off"
              required
            />
          </div>
          <button type="submit" className="primary" disabled={busy || !valid}>
            Create
          </button>
        </form>
        <p id="name-rule" className="hint">
          A DNS label: lower-case letters, digits and hyphens, 1–63 characters, starting with a letter.
        </p>
        <ErrorBox error={createError} title="Could not create the database" />
      </section>

      <section className="card" aria-labelledby="list-title">
        <h2 id="list-title">All databases</h2>
        {notice ? (
          <div className="alert ok" role="status">
            {notice}
          </div>
        ) : null}
        <ErrorBox error={databases.error} />
        <ErrorBox error={deleteError} title="Could not delete the database" />
        {databases.loading && !databases.data ? <p role="status">Loading…</p> : null}
        {databases.data && list.length === 0 ? <p>No databases yet: create one above.</p> : null}
        {list.length > 0 ? (
          <table className="data" aria-label="Databases">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Events
                </th>
                <th scope="col" className="num">
                  Head revision
                </th>
                <th scope="col">Last commit</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.name}>
                  <td>
                    <Link to={`/databases/${encodeURIComponent(d.name)}`}>{d.name}</Link>
                  </td>
                  <td className="num">{count(d.revision)}</td>
                  <td className="num">{d.revision}</td>
                  <td title={d.revision_time ?? ""}>
                    {d.revision > 0 ? `${shortTime(d.revision_time)} (${age(d.revision_time)})` : "—"}
                  </td>
                  <td title={d.created_at}>{shortTime(d.created_at)}</td>
                  <td>
                    <div className="row center">
                      <Link className="button small" to={`/databases/${encodeURIComponent(d.name)}/events`}>
                        Events
                      </Link>
                      <button type="button" className="small" onClick={() => setDeleting(d.name)} aria-label={`Delete ${d.name}`}>
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete database ${deleting ?? ""}?`}
        word={deleting ?? ""}
        action="Delete database"
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove(deleting)}
      >
        <p>
          Its events and its state views and state changes are removed. The name can be used again
          for a new, empty database.
        </p>
      </ConfirmDialog>
    </>
  );
}
