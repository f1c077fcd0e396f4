import { useState } from "react";

/** Copies a text to the clipboard and says so (politely, for screen readers too). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
    window.setTimeout(() => setState("idle"), 1500);
  };
  return (
    <button type="button" className="small" onClick={copy} aria-label={`Copy ${label}`}>
      {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : "Copy"}
      <span className="visually-hidden" aria-live="polite">
        {state === "copied" ? `${label} copied` : ""}
      </span>
    </button>
  );
}
