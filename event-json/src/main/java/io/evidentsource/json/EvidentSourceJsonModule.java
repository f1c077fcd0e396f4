package io.evidentsource.json;

import io.evidentsource.core.condition.AppendCondition;
import io.evidentsource.core.model.Event;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.EventSelector;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * A Jackson module that writes core values in their wire shapes wherever they appear inside other
 * objects: {@link Event} and {@link StoredEvent} as CloudEvents JSON, {@link EventSelector} and
 * {@link AppendCondition} in the JSON shapes of docs/data-model.md#event-selectors and
 * #append-conditions.
 */
public final class EvidentSourceJsonModule extends SimpleModule {
  private static final long serialVersionUID = 1L;

  /** The key of the call's {@link RecordedTimes} among its per-call attributes. */
  private static final Object RECORDED_TIMES = RecordedTimes.class;

  public EvidentSourceJsonModule() {
    super("evidentsource");
    addSerializer(
        StoredEvent.class,
        new ValueSerializer<StoredEvent>() {
          @Override
          public void serialize(StoredEvent value, JsonGenerator g, SerializationContext ctxt) {
            CloudEventJson.write(value, g, recordedTimes(ctxt));
          }
        });
    addSerializer(
        Event.class,
        new ValueSerializer<Event>() {
          @Override
          public void serialize(Event value, JsonGenerator g, SerializationContext ctxt) {
            CloudEventJson.write(value, g);
          }
        });
    addSerializer(
        EventSelector.class,
        new ValueSerializer<EventSelector>() {
          @Override
          public void serialize(EventSelector value, JsonGenerator g, SerializationContext ctxt) {
            SelectorJson.write(value, g);
          }
        });
    addSerializer(
        AppendCondition.class,
        new ValueSerializer<AppendCondition>() {
          @Override
          public void serialize(AppendCondition value, JsonGenerator g, SerializationContext ctxt) {
            ConditionJson.write(value, g);
          }
        });
  }

  /**
   * The recorded-time cache of one serialization call (a page writes its events one after another),
   * kept among the call's own attributes so that calls on other threads never share it.
   */
  private static RecordedTimes recordedTimes(SerializationContext ctxt) {
    if (ctxt.getAttribute(RECORDED_TIMES) instanceof RecordedTimes cached) {
      return cached;
    }
    var created = new RecordedTimes();
    ctxt.setAttribute(RECORDED_TIMES, created);
    return created;
  }
}
