package io.evidentsource.wasm;

import com.dylibso.chicory.wabt.Wat2Wasm;

/**
 * Test guests written in WebAssembly text, compiled at test time by wabt (run on Chicory). The
 * shared prelude is a bump allocator that restarts at the first allocation of each call, and
 * helpers to pack a result and to write a decimal number.
 */
final class Wat {
  private Wat() {}

  static byte[] compile(String wat) {
    return Wat2Wasm.parse(wat);
  }

  /** A module: imports first, then the prelude, then {@code body}. */
  static byte[] module(String imports, String body) {
    return compile("(module\n" + imports + "\n" + PRELUDE + "\n" + body + "\n)");
  }

  static final String PRELUDE =
      """
      (memory (export "memory") 2)
      (global $heap (mut i32) (i32.const 4096))
      (global $reset (mut i32) (i32.const 0))
      (func $alloc (export "evidentsource_alloc") (param $len i32) (result i32)
        (local $p i32) (local $need i32)
        (if (global.get $reset)
          (then (global.set $heap (i32.const 4096)) (global.set $reset (i32.const 0))))
        (local.set $p (global.get $heap))
        (global.set $heap
          (i32.and (i32.add (i32.add (local.get $p) (local.get $len)) (i32.const 7))
                   (i32.const -8)))
        (local.set $need
          (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.gt_s (local.get $need) (i32.const 0))
          (then
            (if (i32.eq (memory.grow (i32.add (i32.shr_u (local.get $need) (i32.const 16))
                                              (i32.const 1)))
                        (i32.const -1))
              (then (return (i32.const 0))))))
        (local.get $p))
      (func $done (param $ptr i32) (param $len i32) (result i64)
        (global.set $reset (i32.const 1))
        (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32))
                (i64.extend_i32_u (local.get $len))))
      ;; parses the decimal digits in [p, p+len)
      (func $atoi (param $p i32) (param $len i32) (result i64)
        (local $n i64) (local $end i32)
        (local.set $end (i32.add (local.get $p) (local.get $len)))
        (block $out (loop $next
          (br_if $out (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 10))
            (i64.extend_i32_u (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $next)))
        (local.get $n))
      ;; writes n in decimal ending just before 1024 and returns the packed result
      (func $itoa (param $n i64) (result i64)
        (local $p i32)
        (local.set $p (i32.const 1024))
        (loop $next
          (local.set $p (i32.sub (local.get $p) (i32.const 1)))
          (i32.store8 (local.get $p)
            (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
          (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
          (br_if $next (i64.ne (local.get $n) (i64.const 0))))
        (call $done (local.get $p) (i32.sub (i32.const 1024) (local.get $p))))
      ;; whether the len bytes at a equal those at b
      (func $eq (param $a i32) (param $b i32) (param $len i32) (result i32)
        (block $no (loop $next
          (if (i32.eqz (local.get $len)) (then (return (i32.const 1))))
          (br_if $no (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (local.set $len (i32.sub (local.get $len) (i32.const 1)))
          (br $next)))
        (i32.const 0))
      ;; how often the pattern (pat, plen) occurs in [p, p+len)
      (func $count (param $p i32) (param $len i32) (param $pat i32) (param $plen i32) (result i64)
        (local $end i32) (local $n i64)
        (local.set $end (i32.sub (i32.add (local.get $p) (local.get $len)) (local.get $plen)))
        (block $out (loop $next
          (br_if $out (i32.gt_s (local.get $p) (local.get $end)))
          (if (call $eq (local.get $p) (local.get $pat) (local.get $plen))
            (then (local.set $n (i64.add (local.get $n) (i64.const 1)))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $next)))
        (local.get $n))
      (data (i32.const 16) "\\"specversion\\"")
      (data (i32.const 32) "\\"id\\":\\"")
      """;

  /** A view whose state is the number of events folded, as a JSON number. */
  static byte[] countingView() {
    return module(
        "",
        """
        (func (export "evidentsource_evolve")
          (param $s i32) (param $sl i32) (param $e i32) (param $el i32)
          (param $p i32) (param $pl i32) (result i64)
          (call $itoa (i64.add (call $atoi (local.get $s) (local.get $sl))
                               (call $count (local.get $e) (local.get $el)
                                            (i32.const 16) (i32.const 13)))))
        """);
  }

  /**
   * A view whose state is the id of the last event folded, as a JSON string: order-sensitive, so it
   * shows which order events were folded in.
   */
  static byte[] lastIdView() {
    return module(
        "",
        """
        (func (export "evidentsource_evolve")
          (param $s i32) (param $sl i32) (param $e i32) (param $el i32)
          (param $p i32) (param $pl i32) (result i64)
          (local $i i32) (local $end i32) (local $start i32) (local $stop i32) (local $out i32)
          (local.set $end (i32.add (local.get $e) (local.get $el)))
          (local.set $start (i32.const -1))
          (local.set $i (local.get $e))
          (block $out (loop $next
            (br_if $out (i32.gt_s (i32.add (local.get $i) (i32.const 6)) (local.get $end)))
            (if (call $eq (local.get $i) (i32.const 32) (i32.const 6))
              (then (local.set $start (i32.add (local.get $i) (i32.const 6)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
          (if (i32.lt_s (local.get $start) (i32.const 0))
            (then (return (call $done (local.get $s) (local.get $sl)))))
          (local.set $stop (local.get $start))
          (block $out (loop $next
            (br_if $out (i32.eq (i32.load8_u (local.get $stop)) (i32.const 34)))
            (local.set $stop (i32.add (local.get $stop) (i32.const 1)))
            (br $next)))
          ;; "id" including both quotes
          (call $done (i32.sub (local.get $start) (i32.const 1))
                      (i32.add (i32.sub (local.get $stop) (local.get $start)) (i32.const 2))))
        """);
  }

  /** A view with a custom evolve body (params as above) and optional imports. */
  static byte[] view(String imports, String evolveBody) {
    return module(
        imports,
        """
        (func (export "evidentsource_evolve")
          (param $s i32) (param $sl i32) (param $e i32) (param $el i32)
          (param $p i32) (param $pl i32) (result i64)
        """
            + evolveBody
            + ")");
  }

  /** A state change whose decide returns the JSON {@code output} verbatim. */
  static byte[] fixedDecision(String output) {
    var escaped = output.replace("\\", "\\\\").replace("\"", "\\\"");
    return module(
        "",
        "(data (i32.const 1100) \""
            + escaped
            + "\")\n"
            + "(func (export \"evidentsource_decide\") (param i32 i32 i32 i32) (result i64)\n"
            + "  (call $done (i32.const 1100) (i32.const "
            + output.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
            + ")))");
  }

  /** A state change with a custom decide body (params $c $cl $m $ml) and optional imports. */
  static byte[] change(String imports, String decideBody) {
    return module(
        imports,
        """
        (func (export "evidentsource_decide")
          (param $c i32) (param $cl i32) (param $m i32) (param $ml i32) (result i64)
        """
            + decideBody
            + ")");
  }
}
