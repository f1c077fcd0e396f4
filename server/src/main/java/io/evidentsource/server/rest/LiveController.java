package io.evidentsource.server.rest;

import io.evidentsource.core.error.ErrorCode;
import io.evidentsource.core.error.EvidentSourceException;
import io.evidentsource.core.model.DatabaseName;
import io.evidentsource.core.subscription.Subscription;
import io.evidentsource.core.subscription.SubscriptionEngine;
import io.evidentsource.core.subscription.SubscriptionItem;
import io.evidentsource.json.CloudEventJson;
import io.evidentsource.server.config.SubscriptionThreads;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
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
  private static final Duration POLL = Duration.ofMillis(200);

  private final SubscriptionEngine subscriptions;
  private final SubscriptionThreads senders;
  private final JsonMapper json;

  LiveController(
      SubscriptionEngine subscriptions, SubscriptionThreads subscriptionThreads, JsonMapper json) {
    this.subscriptions = subscriptions;
    this.senders = subscriptionThreads;
    this.json = json;
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
    var params = QueryParameters.live(request.getParameterMap());
    Long from = params.getValue();
    if (lastEventId != null && !lastEventId.isBlank()) {
      from = resumeAfter(lastEventId) + 1;
    }
    Subscription subscription = subscriptions.subscribe(database, params.getKey(), from);
    var emitter = new SseEmitter(0L); // no timeout: heartbeats keep it alive, the client closes it
    emitter.onCompletion(subscription::close);
    emitter.onTimeout(subscription::close);
    emitter.onError(e -> subscription.close());
    senders.execute(() -> send(subscription, emitter));
    return emitter;
  }

  private void send(Subscription subscription, SseEmitter emitter) {
    try (subscription) {
      emitter.send(SseEmitter.event().comment("subscribed"));
      while (!subscription.isClosed()) {
        var item = subscription.poll(POLL);
        if (item instanceof SubscriptionItem.Delivered) {
          var stored = ((SubscriptionItem.Delivered) item).event();
          emitter.send(
              SseEmitter.event()
                  .id(Long.toString(stored.revision()))
                  .data(CloudEventJson.toJson(stored)));
        } else if (item instanceof SubscriptionItem.Heartbeat) {
          emitter.send(
              SseEmitter.event()
                  .comment("heartbeat revision=" + ((SubscriptionItem.Heartbeat) item).revision()));
        } else if (item instanceof SubscriptionItem.Ended) {
          var error = ((SubscriptionItem.Ended) item).error();
          var problem = new LinkedHashMap<String, Object>();
          problem.put("code", error.code().code());
          problem.put("title", error.code().defaultMessage());
          problem.put("detail", error.getMessage());
          problem.putAll(error.fields());
          emitter.send(SseEmitter.event().name("error").data(json.writeValueAsString(problem)));
          emitter.complete();
          return;
        }
      }
    } catch (IOException | IllegalStateException e) {
      // the client went away; closing the subscription stops the reader
    } catch (InterruptedException e) {
      // the server is shutting down: end the response so graceful shutdown need not wait for it
      Thread.currentThread().interrupt();
      emitter.complete();
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
