package io.evidentsource.storage.dynamodb;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of the moto server that loses answers on purpose: the faults a
 * network or an overloaded DynamoDB produce and moto cannot. Each request is classified by its
 * {@code X-Amz-Target} operation (e.g. {@code TransactWriteItems}) and handled by the current
 * {@link Rule}:
 *
 * <ul>
 *   <li>{@link Action#FORWARD}: passed to moto and its answer returned;
 *   <li>{@link Action#FORWARD_THEN_DROP}: passed to moto (so a write is applied), then the
 *       connection is closed without an answer, as when a response is lost or arrives after the
 *       client's attempt timeout;
 *   <li>{@link Action#DROP}: the connection is closed without passing the request on, as when a
 *       request never reaches DynamoDB.
 * </ul>
 *
 * The client sees a closed connection ({@code NoHttpResponseException}, an I/O error the SDK
 * retries) in both drop cases, so it cannot tell them apart, exactly like a real timeout.
 */
public final class FaultProxy implements AutoCloseable {
  /** What to do with one request. */
  public enum Action {
    FORWARD,
    FORWARD_THEN_DROP,
    DROP
  }

  /** Chooses the action for a request. */
  @FunctionalInterface
  public interface Rule {
    /**
     * The action for one request.
     *
     * @param operation the DynamoDB operation ({@code X-Amz-Target} after the dot), or the HTTP
     *     method and path for other services
     * @param body the request body (JSON for DynamoDB: names the table)
     */
    Action decide(String operation, String body);
  }

  private static final Set<String> RESTRICTED =
      Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding");

  private final HttpServer server;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI target;
  private volatile Rule rule = (operation, body) -> Action.FORWARD;
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  private FaultProxy(URI target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  /** A proxy forwarding to {@code target} (e.g. the moto server's endpoint). */
  public static FaultProxy in(URI target) {
    try {
      return new FaultProxy(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The proxy's endpoint, to give clients instead of the target's. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Replaces the rule (the default forwards everything). */
  public void rule(Rule rule) {
    this.rule = rule;
  }

  /** How many requests of {@code operation} arrived, whatever became of them. */
  public int count(String operation) {
    var c = counts.get(operation);
    return c == null ? 0 : c.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String amzTarget = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String operation =
          amzTarget != null
              ? amzTarget.substring(amzTarget.indexOf('.') + 1)
              : exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
      counts.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
      Action action = rule.decide(operation, new String(body, StandardCharsets.UTF_8));
      if (action == Action.DROP) {
        return; // closing without response headers closes the connection
      }
      var forward =
          HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
              .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
      for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
        if (!RESTRICTED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          for (String v : h.getValue()) {
            forward.header(h.getKey(), v);
          }
        }
      }
      HttpResponse<byte[]> response;
      try {
        response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (action == Action.FORWARD_THEN_DROP) {
        return;
      }
      response
          .headers()
          .map()
          .forEach(
              (name, values) -> {
                if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                  exchange.getResponseHeaders().put(name, values);
                }
              });
      byte[] answer = response.body();
      exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        exchange.getResponseBody().write(answer);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
