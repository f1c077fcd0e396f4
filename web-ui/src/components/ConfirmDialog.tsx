import { useEffect, useId, useRef, useState } from "react";

/**
 * A destructive action confirmed by typing a word (the database name): a modal <dialog>, so focus
 * stays inside it and Escape cancels.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  word: string;
  action: string;
  children?: React.ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  const inputId = useId();
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      setTyped("");
      d.showModal();
    } else if (!props.open && d.open) {
      d.close();
    }
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onCancel={props.onCancel} onClose={props.onCancel}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed === props.word) props.onConfirm();
        }}
      >
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
        <div className="field">
          <label htmlFor={inputId}>
            Type <strong className="mono">{props.word}</strong> to confirm
          </label>
          <input id={inputId} type="text" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus />
        </div>
        <div className="row" style={{ marginTop: ".75rem", justifyContent: "flex-end" }}>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={typed !== props.word}>
            {props.action}
          </button>
        </div>
      </form>
    </dialog>
  );
}
