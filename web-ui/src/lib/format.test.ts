import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../api/types";
import { commits, dataView, hexDump, sampleRevisions, shortTime } from "./format";

const event = (revision: number, recordedtime: string): StoredEvent => ({
  specversion: "1.0",
  id: String(revision),
  source: "s",
  type: "t",
  revision,
  recordedtime,
});

describe("event data", () => {
  it("is JSON without a content type, text for text/plain, binary for data_base64", () => {
    expect(dataView({ data: { a: 1 } })).toEqual({ kind: "json", value: { a: 1 } });
    expect(dataView({ data: "hi", datacontenttype: "text/plain" })).toEqual({ kind: "text", text: "hi" });
    const bin = dataView({ data_base64: "AAEC" });
    expect(bin.kind).toBe("binary");
    expect(bin.kind === "binary" && Array.from(bin.bytes)).toEqual([0, 1, 2]);
  });

  it("dumps bytes as hex with printable ASCII", () => {
    expect(hexDump(new Uint8Array([0x41, 0x00]))).toBe("00000000  41 00" + " ".repeat(42) + "  A.");
  });
});

describe("commits", () => {
  it("groups consecutive revisions with one recorded time, newest first", () => {
    const groups = commits([event(5, "t2"), event(4, "t2"), event(3, "t1"), event(2, "t1"), event(1, "t0")]);
    expect(groups.map((g) => [g.first, g.last, g.events.length])).toEqual([
      [4, 5, 2],
      [2, 3, 2],
      [1, 1, 1],
    ]);
  });
});

describe("chart samples", () => {
  it("spread over the revisions and end at the head", () => {
    expect(sampleRevisions(329, 4)).toEqual([82, 165, 247, 329]);
    expect(sampleRevisions(2, 10)).toEqual([1, 2]);
    expect(sampleRevisions(0, 10)).toEqual([]);
  });

  it("shorten times and keep the offset", () => {
    expect(shortTime("2021-08-19T12:16:32.000-04:00")).toBe("2021-08-19 12:16:32 -04:00");
    expect(shortTime("2021-08-19T12:16:32Z")).toBe("2021-08-19 12:16:32Z");
  });
});
