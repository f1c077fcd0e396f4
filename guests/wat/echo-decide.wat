;; A state change in WebAssembly text that decides whatever the command's JSON body says: the
;; body must be a decision ({"events":[...],"conditions":[...]} or {"rejection":{...}}); the body
;; "trap" makes it trap. The host writes the command as {"content_type":...,"headers":{...},
;; "body":...} with "body" last, so the decision is the text after the last "body": up to the
;; final '}'. Build: wat2wasm echo-decide.wat -o echo-decide.wasm
(module
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 4096))
  (global $reset (mut i32) (i32.const 0))
  (data (i32.const 16) "\"body\":")
  (data (i32.const 32) "\"trap\"")
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
  (func $eq (param $a i32) (param $b i32) (param $len i32) (result i32)
    (block $no (loop $next
      (if (i32.eqz (local.get $len)) (then (return (i32.const 1))))
      (br_if $no (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (local.set $len (i32.sub (local.get $len) (i32.const 1)))
      (br $next)))
    (i32.const 0))
  (func (export "evidentsource_decide")
    (param $command i32) (param $command_len i32) (param $metadata i32) (param $metadata_len i32)
    (result i64)
    (local $i i32) (local $start i32) (local $end i32)
    (local.set $end (i32.add (local.get $command) (local.get $command_len)))
    (local.set $i (i32.sub (local.get $end) (i32.const 7)))
    ;; search backwards for "body":
    (block $found (loop $back
      (br_if $found (call $eq (local.get $i) (i32.const 16) (i32.const 7)))
      (if (i32.le_s (local.get $i) (local.get $command)) (then (unreachable)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br $back)))
    (local.set $start (i32.add (local.get $i) (i32.const 7)))
    (if (call $eq (local.get $start) (i32.const 32) (i32.const 6)) (then (unreachable)))
    (global.set $reset (i32.const 1))
    ;; everything after "body": except the closing brace of the command object
    (i64.or (i64.shl (i64.extend_i32_u (local.get $start)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (i32.sub (local.get $end) (local.get $start)) (i32.const 1))))))
