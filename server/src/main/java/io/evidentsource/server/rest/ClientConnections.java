package io.evidentsource.server.rest;

import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Whether the client of a REST request is still connected, so that a query whose client went away
 * stops (docs/limits.md#names-and-queries) instead of running on until its time budget ends.
 *
 * <p>The servlet API says nothing about a client that closes its connection while a blocking
 * request is being processed: nobody reads the socket then, and Tomcat learns of the close at the
 * first write of the answer. So the probe asks Tomcat's HTTP/1.1 input buffer for a non-blocking
 * read of the connection ({@link ActionCode#AVAILABLE} with {@code true}, what {@code
 * ServletInputStream.isReady()} does in non-blocking mode): a connection whose client closed it (or
 * reset it) reads end-of-stream, which Tomcat reports as one byte available, again at each try;
 * bytes a client pipelined after its request are read into Tomcat's buffer for the next request and
 * reported once. Two reports in a row therefore mean the client is gone. The probe is called by the
 * query budget every few thousand index entries, on the request's own thread only (on any other
 * thread it answers "connected").
 *
 * <p>Cost: only query requests get a probe. A valve notes each request's Tomcat request in a
 * thread-local of its worker thread while the request runs (no allocation, no request attribute);
 * {@link #gone} makes the probe from it when a query asks.
 *
 * <p>Limits: a client that half-closes its side of the connection (shuts down its output) but still
 * waits for the answer looks gone; HTTP clients do not do that. Over HTTP/2, and after pipelined
 * bytes, a close is not seen and the time budget bounds the work as before.
 */
final class ClientConnections {
  /**
   * The Tomcat request the worker thread is serving, set by {@link ProbeValve} around the request;
   * null (not removed, so that setting it again allocates nothing) between requests.
   */
  private static final ThreadLocal<org.apache.coyote.@Nullable Request> SERVING =
      new ThreadLocal<>();

  private ClientConnections() {}

  /**
   * The signal of the request this thread is serving: true once its client is seen gone; always
   * false outside Tomcat. Call it on the request's thread, once per query.
   */
  static BooleanSupplier gone() {
    var serving = SERVING.get();
    return serving != null ? new Probe(serving) : ClientConnections::connected;
  }

  private static boolean connected() {
    return false;
  }

  /** The probe of one request on Tomcat's HTTP/1.1 connector. */
  static final class Probe implements BooleanSupplier {
    private final org.apache.coyote.Request request;
    private final Thread owner;
    private int availableInARow;
    private boolean gone;

    Probe(org.apache.coyote.Request request) {
      this.request = request;
      this.owner = Thread.currentThread();
    }

    @Override
    public boolean getAsBoolean() {
      if (gone) {
        return true;
      }
      if (Thread.currentThread() != owner) {
        return false; // a streamed answer's later chunks: their next write finds out
      }
      request.action(ActionCode.AVAILABLE, true);
      availableInARow = request.getAvailable() > 0 ? availableInARow + 1 : 0;
      gone = availableInARow >= 2;
      return gone;
    }
  }

  /** Notes the Tomcat request on its worker thread while the servlet serves it. */
  static final class ProbeValve extends ValveBase {
    ProbeValve() {
      super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
      SERVING.set(request.getCoyoteRequest());
      try {
        getNext().invoke(request, response);
      } finally {
        SERVING.set(null);
      }
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Registration {
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> clientConnectionProbe() {
      return factory -> factory.addContextValves(new ProbeValve());
    }
  }
}
