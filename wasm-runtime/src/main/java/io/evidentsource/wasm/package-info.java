/**
 * The Chicory host for state views and state changes (docs/wasm-abi.md, ADR 0005): checks modules
 * against the component ABI at publish, compiles them once, pools instances per component version
 * and runs {@code evolve}/{@code decide} in a deterministic, capability-free sandbox with enforced
 * limits.
 */
@NullMarked
package io.evidentsource.wasm;

import org.jspecify.annotations.NullMarked;
