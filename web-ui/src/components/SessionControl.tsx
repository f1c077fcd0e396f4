import { useEffect, useId, useRef, useState } from "react";
import { setAuthenticator } from "../api/client";
import { currentSession, login, logout, type SessionInfo } from "../api/endpoints";
import { ErrorBox } from "./ErrorBox";

/**
 * Signing in with an API key when the server requires one (docs/security.md): registered as the
 * API client's authenticator, it opens a modal form on a 401, exchanges the key for an HttpOnly,
 * SameSite=Strict session cookie (POST /api/v1/session; the key itself is never stored by the
 * page), and lets the interrupted request be sent again. Shows who is signed in, with a sign-out.
 */
export function SessionControl() {
  const ref = useRef<HTMLDialogElement>(null);
  const pending = useRef<((ok: boolean) => void) | null>(null);
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [session, setSession] = useState<SessionInfo | null>(null);
  const titleId = useId();
  const inputId = useId();

  useEffect(() => {
    setAuthenticator(
      (problem) =>
        new Promise<boolean>((resolve) => {
          if (pending.current) {
            // a second request failed meanwhile: it waits for the same sign-in
            const first = pending.current;
            pending.current = (ok) => {
              first(ok);
              resolve(ok);
            };
            return;
          }
          pending.current = resolve;
          setReason(problem.detail ?? "");
          setError(null);
          setOpen(true);
        }),
    );
    // a session from before a reload: show who is signed in (a 401 here asks for nothing)
    currentSession()
      .then((s) => {
        if (s?.security_enabled) setSession(s);
      })
      .catch(() => undefined);
    return () => setAuthenticator(null);
  }, []);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    else if (!open && d.open) d.close();
  }, [open]);

  const finish = (ok: boolean) => {
    setOpen(false);
    setKey("");
    const resolve = pending.current;
    pending.current = null;
    resolve?.(ok);
  };

  return (
    <>
      {session ? (
        <span className="session">
          Signed in as <strong>{session.principal}</strong>{" "}
          <button
            type="button"
            className="link"
            onClick={() => {
              void logout().finally(() => {
                setSession(null);
                window.location.reload();
              });
            }}
          >
            Sign out
          </button>
        </span>
      ) : null}
      <dialog ref={ref} aria-labelledby={titleId} onCancel={() => finish(false)}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            login(key)
              .then((s) => {
                setSession(s);
                finish(true);
              })
              .catch((x: unknown) => setError(x));
          }}
        >
          <h2 id={titleId}>Sign in</h2>
          <p>{reason || "This server requires an API key."}</p>
          <div className="field">
            <label htmlFor={inputId}>API key</label>
            <input
              id={inputId}
              type="password"
              autoComplete="off"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              autoFocus
              required
            />
          </div>
          <ErrorBox error={error} title="Not signed in" />
          <div className="row" style={{ marginTop: ".75rem", justifyContent: "flex-end" }}>
            <button type="button" onClick={() => finish(false)}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={!key}>
              Sign in
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
