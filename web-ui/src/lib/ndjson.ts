// NDJSON files before a bulk load: count the events (non-blank lines, as the server counts them)
// and remember where each ends, so upload progress in bytes reads as events sent.

export interface LineIndex {
  /** Non-blank lines: the events the file holds. */
  events: number;
  /** Byte offset just past each event's line, ascending. */
  ends: number[];
  /** File size in bytes. */
  bytes: number;
}

const CHUNK = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d;
}

/** Scans a file chunk by chunk (a 256 MB file never sits in memory whole). */
export async function indexLines(file: Blob): Promise<LineIndex> {
  const ends: number[] = [];
  let content = false;
  for (let offset = 0; offset < file.size; offset += CHUNK) {
    const bytes = new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer());
    content = scan(bytes, offset, content, ends);
  }
  if (content) ends.push(file.size);
  return { events: ends.length, ends, bytes: file.size };
}

/** Scans one chunk; returns whether the unfinished last line has content so far. */
export function scan(bytes: Uint8Array, offset: number, content: boolean, ends: number[]): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === NEWLINE) {
      if (content) ends.push(offset + i + 1);
      content = false;
    } else if (!content && !isBlank(b)) {
      content = true;
    }
  }
  return content;
}

/** How many events were sent once `bytes` of the file were. */
export function eventsSent(index: LineIndex, bytes: number): number {
  let lo = 0;
  let hi = index.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index.ends[mid]! <= bytes) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
