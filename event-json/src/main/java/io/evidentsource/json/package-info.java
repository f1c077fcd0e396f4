/**
 * JSON encodings of the core model: CloudEvents JSON format 1.0 for events (with the server's
 * {@code revision} and {@code recordedtime} extensions on stored events), and the JSON shapes of
 * event selectors and append conditions (docs/data-model.md#event-selectors, #append-conditions).
 * Errors are core {@code EvidentSourceException}s that name the attribute or the JSON path at
 * fault.
 */
@NullMarked
package io.evidentsource.json;

import org.jspecify.annotations.NullMarked;
