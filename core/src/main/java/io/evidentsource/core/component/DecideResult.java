package io.evidentsource.core.component;

import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.Event;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What {@code decide} returned: events to append, or a rejection (docs/wasm-abi.md#the-contract).
 */
public sealed interface DecideResult {

  /**
   * Calls the function for this result's kind and returns its result. This is the one way to
   * dispatch on the kind: each kind has its own parameter, so a new kind breaks the build of every
   * caller until it handles it (Java 17 has no pattern {@code switch}).
   */
  <R> R match(Function<Decision, R> decision, Function<Rejection, R> rejection);

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

    @Override
    public <R> R match(Function<Decision, R> decision, Function<Rejection, R> rejection) {
      return decision.apply(this);
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

    @Override
    public <R> R match(Function<Decision, R> decision, Function<Rejection, R> rejection) {
      return rejection.apply(this);
    }
  }
}
