// Presentation of values: numbers, times, event data by content type.
import type { StoredEvent } from "../api/types";

const numbers = new Intl.NumberFormat("en");
export const count = (n: number) => numbers.format(n);

/** An RFC 3339 time as sent, shortened for tables: date and time to the second, offset kept. */
export function shortTime(text: string | undefined | null): string {
  if (!text) return "";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  return m ? `${m[1]} ${m[2]}${m[3] && m[3] !== "Z" ? " " + m[3] : m[3] === "Z" ? "Z" : ""}` : text;
}

/** "3 min ago" style age of a time, for catalog tables. */
export function age(text: string | null | undefined, now = Date.now()): string {
  if (!text) return "";
  const ms = now - Date.parse(text);
  if (!Number.isFinite(ms)) return text;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The CloudEvents context attributes; everything else on a stored event is an extension. */
export const CONTEXT_ATTRIBUTES = [
  "specversion",
  "id",
  "source",
  "type",
  "subject",
  "time",
  "datacontenttype",
  "dataschema",
] as const;

/** Extensions the server sets on every stored event. */
export const SERVER_EXTENSIONS = ["revision", "recordedtime"] as const;

export function extensions(event: StoredEvent): [string, unknown][] {
  const skip = new Set<string>([...CONTEXT_ATTRIBUTES, ...SERVER_EXTENSIONS, "data", "data_base64"]);
  return Object.entries(event).filter(([k]) => !skip.has(k));
}

export type DataView =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string }
  | { kind: "binary"; base64: string; bytes: Uint8Array };

function isJsonType(type: string | undefined): boolean {
  if (!type) return true; // CloudEvents: JSON data without a content type is JSON
  const essence = type.split(";")[0]!.trim().toLowerCase();
  return essence === "application/json" || essence === "text/json" || essence.endsWith("+json");
}

/** How to show an event's data: a JSON tree, text, or base64 and hex for binary data. */
export function dataView(event: Pick<StoredEvent, "data" | "data_base64" | "datacontenttype">): DataView {
  if (event.data_base64 !== undefined) {
    const raw = atob(event.data_base64);
    const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
    return { kind: "binary", base64: event.data_base64, bytes };
  }
  if (event.data === undefined) return { kind: "none" };
  if (typeof event.data === "string" && !isJsonType(event.datacontenttype)) {
    return { kind: "text", text: event.data };
  }
  return { kind: "json", value: event.data };
}

/** A hex dump: offset, 16 bytes in hex, and their printable ASCII. */
export function hexDump(bytes: Uint8Array, max = 4096): string {
  const lines: string[] = [];
  const n = Math.min(bytes.length, max);
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${off.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > max) lines.push(`… ${bytes.length - max} more bytes`);
  return lines.join("\n");
}

/** Events that were committed together: consecutive revisions with the same recorded time. */
export interface CommitGroup {
  recordedtime: string;
  first: number;
  last: number;
  events: StoredEvent[];
}

/** Groups newest-first or oldest-first events into commits (one transaction has one time). */
export function commits(events: StoredEvent[]): CommitGroup[] {
  const groups: CommitGroup[] = [];
  for (const e of events) {
    const g = groups[groups.length - 1];
    if (g && g.recordedtime === e.recordedtime && Math.abs(e.revision - g.last) === 1) {
      g.last = e.revision;
      g.events.push(e);
    } else {
      groups.push({ recordedtime: e.recordedtime, first: e.revision, last: e.revision, events: [e] });
    }
  }
  for (const g of groups) {
    if (g.first > g.last) [g.first, g.last] = [g.last, g.first];
  }
  return groups;
}

/** Revisions to sample for a count-over-time chart: up to `points` spread over 1..head. */
export function sampleRevisions(head: number, points: number): number[] {
  if (head <= 0) return [];
  const n = Math.min(points, head);
  const out = new Set<number>();
  for (let i = 1; i <= n; i++) out.add(Math.max(1, Math.round((head * i) / n)));
  return [...out].sort((a, b) => a - b);
}
