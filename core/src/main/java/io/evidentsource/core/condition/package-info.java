/**
 * Append conditions (min, max, range over the highest matching revision) and their failures, as
 * docs/data-model.md#append-conditions defines them; DCB's {@code failIfEventsMatch}/{@code after}
 * maps onto {@code max}.
 */
@NullMarked
package io.evidentsource.core.condition;

import org.jspecify.annotations.NullMarked;
