/**
 * Event selectors (docs/data-model.md#event-selectors): the closed set of selector kinds, their
 * textual form and its parser.
 */
@NullMarked
package io.evidentsource.core.selector;

import org.jspecify.annotations.NullMarked;
