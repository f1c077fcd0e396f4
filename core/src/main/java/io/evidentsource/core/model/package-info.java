/**
 * Values of the data model (docs/data-model.md): database names and descriptions, CloudEvents as
 * stored, their data, tags, limits and the validator that enforces them.
 */
@NullMarked
package io.evidentsource.core.model;

import org.jspecify.annotations.NullMarked;
