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
import io.evidentsource.server.live.LiveTails;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The live tail as Server-Sent Events: each matching event is one message with {@code id:} its
 * revision and {@code data:} the CloudEvent JSON; comment lines are heartbeats; a subscription the
 * server ends (slow consumer, database deleted) sends one {@code event: error} message with the
 * problem's {@code code} and {@code detail}, then closes.
 *
 * <p>The stream is written with the servlet's non-blocking output ({@link WriteListener}): no
 * thread waits for an idle or slow subscriber. The shared dispatcher of {@link LiveTails} writes
 * while the connection can take more, and the container calls back when it can again.
 */
@RestController
@RequestMapping("/api/v1/databases/{db}/events")
class LiveController {
  private static final Logger log = LoggerFactory.getLogger(LiveController.class);

  private final SubscriptionEngine subscriptions;
  private final LiveTails tails;
  private final JsonMapper json;
  private final SelectorLimits selectorLimits;

  LiveController(
      SubscriptionEngine subscriptions,
      LiveTails liveTails,
      JsonMapper json,
      SelectorLimits selectorLimits) {
    this.subscriptions = subscriptions;
    this.tails = liveTails;
    this.json = json;
    this.selectorLimits = selectorLimits;
  }

  /**
   * Opens a live tail: from {@code Last-Event-ID} + 1 when the header is present (a reconnect
   * resumes strictly after the last event received), else from {@code from_revision} (inclusive),
   * else from the next commit. Errors before the stream starts (unknown database, bad parameters,
   * too many live tails) are problem details.
   */
  @GetMapping("/live")
  void live(
      @PathVariable("db") String db,
      @RequestHeader(value = "Last-Event-ID", required = false) @Nullable String lastEventId,
      HttpServletRequest request,
      HttpServletResponse response)
      throws IOException {
    DatabaseName database = DatabaseName.of(db);
    var params = QueryParameters.live(RequestParameters.of(request), selectorLimits);
    Long from = params.getValue();
    if (lastEventId != null && !lastEventId.isBlank()) {
      from = resumeAfter(lastEventId) + 1;
    }
    Subscription subscription = subscriptions.subscribe(database, params.getKey(), from);
    try {
      response.setStatus(200);
      response.setContentType("text/event-stream");
      response.setCharacterEncoding("UTF-8");
      response.setHeader("Cache-Control", "no-cache");
      response.setHeader("X-Accel-Buffering", "no");
      AsyncContext async = request.startAsync(request, response);
      async.setTimeout(0); // no timeout: heartbeats keep it alive, the client closes it
      ServletOutputStream out = response.getOutputStream();
      var sink = new SseSink(out, async);
      LiveTail tail = tails.open(subscription, sink);
      async.addListener(new ClosingListener(tail, sink));
      out.setWriteListener(
          new WriteListener() {
            @Override
            public void onWritePossible() {
              sink.writable = true; // from now on the stream may be written from any thread
              tail.drain();
            }

            @Override
            public void onError(Throwable t) {
              sink.closedByContainer();
              tail.close();
            }
          });
    } catch (IOException | RuntimeException e) {
      subscription.close();
      throw e;
    }
  }

  /** Closes the tail when the connection ends on the container's side. */
  private record ClosingListener(LiveTail tail, SseSink sink) implements AsyncListener {
    @Override
    public void onComplete(AsyncEvent event) {
      sink.completedByContainer();
      tail.close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      onError(event);
    }

    @Override
    public void onError(AsyncEvent event) {
      // completed here, else the container would dispatch the failed stream to the error page
      sink.closedByContainer();
      tail.close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // not restarted
    }
  }

  /**
   * Server-Sent Events on a non-blocking servlet stream: an event per message, comments as
   * heartbeats, an {@code error} event. The pump writes only while {@link #isReady()}.
   *
   * <p>The stream is touched from the dispatcher's threads and from the container's, so every call
   * on it holds {@link #lock}, and the stream is closed (no call starts any more) before the
   * request completes. The container recycles a request's objects for the next connection once it
   * completed: a write still running then would act on (or leave its failure with) another client's
   * response. A failed write therefore makes the container's error callbacks wait for it to return
   * ({@link #closedByContainer()}). {@link AsyncContext#complete()} is called with the lock
   * released: the container calls back into the listeners while it holds its own locks.
   */
  private final class SseSink implements LiveTail.Sink {
    private final ServletOutputStream out;
    private final AsyncContext async;
    private final ReentrantLock lock = new ReentrantLock();

    /** No call on the stream starts any more; set under {@link #lock} (but see below). */
    private volatile boolean closed;

    private boolean completeCalled;

    /**
     * Set when the container first calls {@code onWritePossible}: before that, the request is still
     * in its first dispatch and its non-blocking stream may not be touched.
     */
    volatile boolean writable;

    SseSink(ServletOutputStream out, AsyncContext async) {
      this.out = out;
      this.async = async;
    }

    @Override
    public boolean isReady() {
      if (!writable) {
        return false;
      }
      lock.lock();
      try {
        return !closed && out.isReady();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void opened() throws IOException {
      write(":subscribed\n\n");
    }

    @Override
    public void event(StoredEvent event) throws IOException {
      var message = new StringBuilder(512);
      message.append("id:").append(event.revision()).append('\n');
      data(message, CloudEventJson.toJson(event));
      write(message.append('\n').toString());
    }

    @Override
    public void heartbeat(long revision) throws IOException {
      write(":heartbeat revision=" + revision + "\n\n");
    }

    @Override
    public void flush() throws IOException {
      lock.lock();
      try {
        requireOpen();
        out.flush();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void ended(EvidentSourceException error) throws IOException {
      lock.lock();
      try {
        if (writable && !closed && out.isReady()) {
          var message = new StringBuilder("event:error\n");
          data(message, json.writeValueAsString(WireJson.LiveError.of(error)));
          out.write(message.append('\n').toString().getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } finally {
        lock.unlock();
        complete();
      }
    }

    @Override
    public void shuttingDown() {
      complete();
    }

    @Override
    public void failed(Exception failure) {
      if (!(failure instanceof IOException || failure instanceof IllegalStateException)) {
        log.error("live tail failed", failure);
      }
      // else the client went away
      complete();
    }

    /**
     * The container reports an error (the client went away, a write failed): waits until a call on
     * the stream still running on another thread returned, closes the stream, then completes the
     * request.
     */
    void closedByContainer() {
      complete();
    }

    /**
     * The request completed (called back while the container holds its locks, so it does not wait
     * for the lock): no call on the stream starts any more.
     */
    void completedByContainer() {
      closed = true;
    }

    private void write(String text) throws IOException {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      lock.lock();
      try {
        requireOpen();
        out.write(bytes);
      } finally {
        lock.unlock();
      }
    }

    private void requireOpen() throws IOException {
      if (closed) {
        throw new EOFException("the live tail's stream is closed");
      }
    }

    /** Closes the stream (waiting for a running call), then completes the request once. */
    private void complete() {
      boolean first;
      lock.lock();
      try {
        closed = true;
        first = !completeCalled;
        completeCalled = true;
      } finally {
        lock.unlock();
      }
      if (first) {
        try {
          async.complete();
        } catch (IllegalStateException e) {
          // the container completed it already (the client went away)
        }
      }
    }
  }

  /** SSE {@code data:} lines: one per line of the text. */
  private static void data(StringBuilder message, String text) {
    int start = 0;
    while (true) {
      int end = text.indexOf('\n', start);
      message.append("data:").append(text, start, end < 0 ? text.length() : end).append('\n');
      if (end < 0) {
        return;
      }
      start = end + 1;
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
