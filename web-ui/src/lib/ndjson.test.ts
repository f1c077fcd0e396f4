import { describe, expect, it } from "vitest";
import { eventsSent, indexLines, scan } from "./ndjson";

describe("NDJSON line index", () => {
  it("counts non-blank lines, with or without a final newline", async () => {
    const text = '{"a":1}\n\n  \r\n{"b":2}\r\n{"c":3}';
    const index = await indexLines(new Blob([text]));
    expect(index.events).toBe(3);
    expect(index.ends).toEqual([8, 22, text.length]);
  });

  it("carries a line across chunk boundaries", () => {
    const ends: number[] = [];
    const enc = new TextEncoder();
    let content = scan(enc.encode('{"a"'), 0, false, ends);
    expect(ends).toEqual([]);
    content = scan(enc.encode(':1}\n'), 4, content, ends);
    expect(content).toBe(false);
    expect(ends).toEqual([8]);
  });

  it("reads bytes sent as whole events sent", async () => {
    const index = await indexLines(new Blob(["aa\nbb\ncc\n"]));
    expect([0, 2, 3, 5, 6, 9].map((b) => eventsSent(index, b))).toEqual([0, 0, 1, 1, 2, 3]);
  });
});
