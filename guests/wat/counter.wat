;; A state view in WebAssembly text: counts the events folded into it. The state is the count as
;; a JSON number ("0", "1", ...). Build: wat2wasm counter.wat -o counter.wasm
(module
  (memory (export "memory") 2)
  ;; bump allocator: the host's first allocation of a call starts again from $base
  (global $heap (mut i32) (i32.const 4096))
  (global $reset (mut i32) (i32.const 0))
  (func (export "evidentsource_alloc") (param $len i32) (result i32)
    (local $p i32) (local $need i32)
    (if (global.get $reset)
      (then (global.set $heap (i32.const 4096)) (global.set $reset (i32.const 0))))
    (local.set $p (global.get $heap))
    (global.set $heap
      (i32.and (i32.add (i32.add (local.get $p) (local.get $len)) (i32.const 7)) (i32.const -8)))
    (local.set $need (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then
        (if (i32.eq (memory.grow (i32.add (i32.shr_u (local.get $need) (i32.const 16)) (i32.const 1)))
                    (i32.const -1))
          (then (return (i32.const 0))))))
    (local.get $p))
  ;; packs (ptr << 32) | len and frees everything at the next call
  (func $done (param $ptr i32) (param $len i32) (result i64)
    (global.set $reset (i32.const 1))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32))
            (i64.extend_i32_u (local.get $len))))
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
  ;; counts the top-level objects of the events array: a '{' at depth 1 outside strings
  (func $objects (param $p i32) (param $len i32) (result i64)
    (local $end i32) (local $depth i32) (local $in i32) (local $c i32) (local $n i64)
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (block $out (loop $next
      (br_if $out (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (local.get $in)
        (then
          (if (i32.eq (local.get $c) (i32.const 92)) ;; backslash: skip the escaped byte
            (then (local.set $p (i32.add (local.get $p) (i32.const 1))))
            (else (if (i32.eq (local.get $c) (i32.const 34)) (then (local.set $in (i32.const 0)))))))
        (else
          (if (i32.eq (local.get $c) (i32.const 34)) (then (local.set $in (i32.const 1))))
          (if (i32.or (i32.eq (local.get $c) (i32.const 123)) (i32.eq (local.get $c) (i32.const 91)))
            (then
              (if (i32.and (i32.eq (local.get $c) (i32.const 123)) (i32.eq (local.get $depth) (i32.const 1)))
                (then (local.set $n (i64.add (local.get $n) (i64.const 1)))))
              (local.set $depth (i32.add (local.get $depth) (i32.const 1)))))
          (if (i32.or (i32.eq (local.get $c) (i32.const 125)) (i32.eq (local.get $c) (i32.const 93)))
            (then (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next)))
    (local.get $n))
  (func (export "evidentsource_evolve")
    (param $state i32) (param $state_len i32) (param $events i32) (param $events_len i32)
    (param $params i32) (param $params_len i32) (result i64)
    (call $itoa (i64.add (call $atoi (local.get $state) (local.get $state_len))
                         (call $objects (local.get $events) (local.get $events_len))))))
