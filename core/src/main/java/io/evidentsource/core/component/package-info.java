/**
 * State views (evolve) and state changes (decide), docs/data-model.md#state-views-and-state-changes
 * and docs/wasm-abi.md: definitions and versions, the catalog of both kinds keyed by {@link
 * io.evidentsource.core.component.ComponentKind}, the orchestration (selector placeholders, folding
 * order, the fold cache, provenance) and the ports a WebAssembly host ({@link
 * io.evidentsource.core.component.ComponentRuntime}) and a store of published components ({@link
 * io.evidentsource.core.component.ComponentRegistry}) implement.
 */
@NullMarked
package io.evidentsource.core.component;

import org.jspecify.annotations.NullMarked;
