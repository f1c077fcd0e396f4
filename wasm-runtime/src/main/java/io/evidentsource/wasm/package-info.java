/**
 * The Chicory host for state views and state changes (DESIGN §6): checks modules against the
 * component ABI at publish, compiles them once, pools instances per component version and runs
 * {@code evolve}/{@code decide} in a deterministic, capability-free sandbox with enforced limits.
 */
@NullMarked
package io.evidentsource.wasm;

import org.jspecify.annotations.NullMarked;
