/**
 * The query engine: reads at a consistent snapshot revision with selectors, revision and time
 * bounds, direction, order and opaque page tokens.
 */
@NullMarked
package io.evidentsource.core.query;

import org.jspecify.annotations.NullMarked;
