// Guest helpers for the EvidentSource component ABI (docs/wasm-abi.md) in AssemblyScript.
// Compile with the stub runtime (--runtime stub): every allocation of a call is released at the
// start of the next call, so a guest needs no garbage collector.

let releaseAtNextCall = false;

/** The body of the evidentsource_alloc export. */
export function alloc(len: usize): usize {
  if (releaseAtNextCall) {
    heap.reset();
    releaseAtNextCall = false;
  }
  return heap.alloc(len > 0 ? len : 1);
}

/** Packs (ptr << 32) | len for the host; everything allocated is released at the next call. */
export function result(bytes: ArrayBuffer): i64 {
  releaseAtNextCall = true;
  return (i64(changetype<usize>(bytes)) << 32) | i64(bytes.byteLength);
}

/** The UTF-8 text at (ptr, len) of host input. */
export function text(ptr: i32, len: i32): string {
  return String.UTF8.decodeUnsafe(<usize>ptr, <usize>len);
}

@external("evidentsource", "error")
declare function hostError(ptr: i32, len: i32): void;

@external("evidentsource", "log")
declare function hostLog(level: i32, ptr: i32, len: i32): void;

/** Reports a component error; return the result to the host. */
export function fail(message: string): i64 {
  const bytes = String.UTF8.encode(message);
  hostError(changetype<usize>(bytes) as i32, bytes.byteLength);
  releaseAtNextCall = true;
  return -1;
}

/** Writes to the server log (0 trace .. 4 error). */
export function log(level: i32, message: string): void {
  const bytes = String.UTF8.encode(message);
  hostLog(level, changetype<usize>(bytes) as i32, bytes.byteLength);
}

/**
 * How many elements the JSON array at (ptr, len) holds at its top level (strings and nesting are
 * skipped), without building a tree: enough for counting views.
 */
export function countTopLevelObjects(ptr: i32, len: i32): i64 {
  let depth = 0;
  let inString = false;
  let n: i64 = 0;
  for (let i = 0; i < len; i++) {
    const c = load<u8>(<usize>(ptr + i));
    if (inString) {
      if (c == 92) i++;
      else if (c == 34) inString = false;
    } else if (c == 34) {
      inString = true;
    } else if (c == 123 || c == 91) {
      if (c == 123 && depth == 1) n++;
      depth++;
    } else if (c == 125 || c == 93) {
      depth--;
    }
  }
  return n;
}

/** The first whole number in the bytes at (ptr, len), 0 when there is none. */
export function firstNumber(ptr: i32, len: i32): i64 {
  let n: i64 = 0;
  let seen = false;
  for (let i = 0; i < len; i++) {
    const c = load<u8>(<usize>(ptr + i));
    if (c >= 48 && c <= 57) {
      n = n * 10 + i64(c - 48);
      seen = true;
    } else if (seen) {
      break;
    }
  }
  return n;
}
