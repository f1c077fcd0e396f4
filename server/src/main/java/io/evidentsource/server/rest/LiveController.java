package io.evidentsource.server.rest;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.model.StoredEvent;
import io.evidentsource.core.selector.SelectorLimits;
import io.evidentsource.core.subscription.Subscription;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.server.live.LiveTail;
import io.evidentsource.server.live.SubscriptionThreads;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The live tail as Server-Sent Events: each matching event is one message with {@code id:} its
 * revision and {@code data:} the CloudEvent JSON; comment lines are heartbeats; a subscription the
 * server ends (slow consumer, database deleted) sends one {@code event: error} message with the
 * problem's {@code code} and {@code detail}, then closes.
 */
@RestController
@RequestMapping("/api/v1/databases/{db}/events")
class LiveController {
  private static final Logger log = LoggerFactory.getLogger(LiveController.class);

  private final SubscriptionEngine subscriptions;
  private final SubscriptionThreads senders;
  private final JsonMapper json;
  private final SelectorLimits selectorLimits;

  LiveController(
      SubscriptionEngine subscriptions,
      SubscriptionThreads subscriptionThreads,
      JsonMapper json,
      SelectorLimits selectorLimits) {
    this.subscriptions = subscriptions;
    this.senders = subscriptionThreads;
    this.json = json;
    this.selectorLimits = selectorLimits;
  }

  /**
   * Opens a live tail: from {@code Last-Event-ID} + 1 when the header is present (a reconnect
   * resumes strictly after the last event received), else from {@code from_revision} (inclusive),
   * else from the next commit.
   */
  @GetMapping("/live")
  SseEmitter live(
      @PathVariable("db") String db,
      @RequestHeader(value = "Last-Event-ID", required = false) @Nullable String lastEventId,
      HttpServletRequest request) {
    DatabaseName database = DatabaseName.of(db);
    var params = QueryParameters.live(RequestParameters.of(request), selectorLimits);
    Long from = params.getValue();
    if (lastEventId != null && !lastEventId.isBlank()) {
      from = resumeAfter(lastEventId) + 1;
    }
    Subscription subscription = subscriptions.subscribe(database, params.getKey(), from);
    var emitter = new SseEmitter(0L); // no timeout: heartbeats keep it alive, the client closes it
    var tail = new LiveTail(subscription, new SseSink(emitter));
    emitter.onCompletion(tail::close);
    emitter.onTimeout(tail::close);
    emitter.onError(e -> tail.close());
    senders.execute(tail);
    return emitter;
  }

  /** Server-Sent Events: an event per message, comments as heartbeats, an {@code error} event. */
  private final class SseSink implements LiveTail.Sink {
    private final SseEmitter emitter;

    SseSink(SseEmitter emitter) {
      this.emitter = emitter;
    }

    @Override
    public void opened() throws IOException {
      emitter.send(SseEmitter.event().comment("subscribed"));
    }

    @Override
    public void event(StoredEvent event) throws IOException {
      emitter.send(
          SseEmitter.event()
              .id(Long.toString(event.revision()))
              .data(CloudEventJson.toJson(event)));
    }

    @Override
    public void heartbeat(long revision) throws IOException {
      emitter.send(SseEmitter.event().comment("heartbeat revision=" + revision));
    }

    @Override
    public void ended(EvidentSourceException error) throws IOException {
      emitter.send(
          SseEmitter.event()
              .name("error")
              .data(json.writeValueAsString(WireJson.LiveError.of(error))));
      emitter.complete();
    }

    @Override
    public void shuttingDown() {
      emitter.complete();
    }

    @Override
    public void failed(Exception failure) {
      if (!(failure instanceof IOException || failure instanceof IllegalStateException)) {
        log.error("live tail failed", failure);
        emitter.complete();
      }
      // else the client went away; the subscription is closed already
    }
  }

  private static long resumeAfter(String lastEventId) {
    try {
      long revision = Long.parseLong(lastEventId.strip());
      if (revision >= 0) {
        return revision;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new EvidentSourceException(
        ErrorCode.INVALID_QUERY,
        "Last-Event-ID must be the revision of the last event received, was '" + lastEventId + "'",
        Map.of("parameter", "Last-Event-ID"));
  }
}
