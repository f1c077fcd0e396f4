package io.evidentsource.core.component;

import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.Event;
import java.util.List;
import java.util.Objects;

/**
 * What {@code decide} returned: events to append, or a rejection (docs/wasm-abi.md#the-contract).
 */
public sealed interface DecideResult {

  /**
   * Events and the conditions that must hold when they are appended.
   *
   * @param events the events, in order (may be empty: nothing to do)
   * @param conditions checked atomically with the append
   */
  record Decision(List<Event> events, List<AppendCondition> conditions) implements DecideResult {
    public Decision {
      events = List.copyOf(events);
      conditions = List.copyOf(conditions);
    }
  }

  /**
   * The component refused the command.
   *
   * @param code the component's own code, e.g. {@code insufficient_funds}
   * @param message a human-readable explanation
   */
  record Rejection(String code, String message) implements DecideResult {
    public Rejection {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }
  }
}
