package io.evidentsource.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.evidentsource.api.v1.EvidentSourceGrpc;
import io.evidentsource.server.GrpcPort;
import io.evidentsource.server.ServerTest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Every REST route and every gRPC method, generated from Spring MVC's route list and the gRPC
 * service descriptor, called with no key, an unknown key, a read key of another database, a read
 * key, a write key and an admin key: each answers 401 / 403 (UNAUTHENTICATED / PERMISSION_DENIED)
 * or gets past authorization exactly as {@link AccessRules} says. A route or method without a rule
 * fails {@link #every_route_has_a_rule} / {@link #every_grpc_method_has_a_rule}. The live tail
 * (SSE) and the server-streaming calls are included; an authorized live tail must open.
 */
@ServerTest
@TestPropertySource(
    properties = {
      "evidentsource.security.enabled=true",
      "evidentsource.security.api-keys[0].name=root",
      "evidentsource.security.api-keys[0].sha256=" + AccessMatrixTest.ADMIN_HASH,
      "evidentsource.security.api-keys[0].scopes=admin",
      "evidentsource.security.api-keys[1].name=reader",
      "evidentsource.security.api-keys[1].sha256=" + AccessMatrixTest.READER_HASH,
      "evidentsource.security.api-keys[1].scopes=read:matrix",
      "evidentsource.security.api-keys[2].name=writer",
      "evidentsource.security.api-keys[2].sha256=" + AccessMatrixTest.WRITER_HASH,
      "evidentsource.security.api-keys[2].scopes=write:matrix",
      "evidentsource.security.api-keys[3].name=outsider",
      "evidentsource.security.api-keys[3].sha256=" + AccessMatrixTest.OUTSIDER_HASH,
      "evidentsource.security.api-keys[3].scopes=read:elsewhere,write:elsewhere-*",
    })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessMatrixTest {
  // SHA-256 of "admin-key", "reader-key", "writer-key", "outsider-key" (checked in keys())
  static final String ADMIN_HASH =
      "69a5265506c94c77b787a7d7377b7685a0eff82e33920a71e7ee22cd6154953e";
  static final String READER_HASH =
      "ec4408df15da46b328f6f3246fa723d0aa6cb0f0a0dd9c4626080ab1b02aa3b2";
  static final String WRITER_HASH =
      "3aec1946afb01344ae0065f3b123820a2144e455c13e5816dbd439e6634f7f26";
  static final String OUTSIDER_HASH =
      "0754182f8bb260f2828b9d30caf5842c22d75c7c7aac73f85858db47e4dc8f8e";

  static final String DB = "matrix";

  /**
   * The database a call names: the matrix's own, which holds one event; for admin-only calls
   * (create, delete, publish) one that the matrix may create and delete without disturbing the
   * other calls.
   */
  static String database(Permission permission) {
    return permission == Permission.ADMIN ? "scratch" : DB;
  }

  /** The six callers of the matrix. */
  enum Key {
    NONE(null),
    WRONG("not-a-key-of-this-server"),
    OTHER_DATABASE("outsider-key"),
    READ("reader-key"),
    WRITE("writer-key"),
    ADMIN("admin-key");

    final @Nullable String secret;

    Key(@Nullable String secret) {
      this.secret = secret;
    }
  }

  /** Whether the caller gets past authorization, and if not, which refusal it gets. */
  enum Outcome {
    ALLOWED,
    UNAUTHENTICATED,
    FORBIDDEN
  }

  static Outcome expected(Permission permission, Key key) {
    if (key == Key.WRONG) {
      return Outcome.UNAUTHENTICATED;
    }
    if (permission == Permission.OPEN) {
      return Outcome.ALLOWED;
    }
    if (key == Key.NONE) {
      return Outcome.UNAUTHENTICATED;
    }
    boolean allowed =
        switch (permission) {
          case OPEN, AUTHENTICATED -> true;
          case ADMIN -> key == Key.ADMIN;
          case READ -> key == Key.ADMIN || key == Key.READ;
          case WRITE -> key == Key.ADMIN || key == Key.WRITE;
        };
    return allowed ? Outcome.ALLOWED : Outcome.FORBIDDEN;
  }

  @LocalServerPort int port;
  @Autowired GrpcPort grpcPort;

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping routes;

  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  ManagedChannel channel;

  @BeforeAll
  void setUp() throws Exception {
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort.port()).usePlaintext().build();
    // the database of the matrix, with one event so that live tails from revision 1 answer at once
    assertThat(call("POST", "/api/v1/databases", Key.ADMIN, "{\"name\":\"" + DB + "\"}").status)
        .isEqualTo(201);
    assertThat(
            call(
                    "POST",
                    "/api/v1/databases/" + DB + "/transactions",
                    Key.ADMIN,
                    "{\"events\":[{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\","
                        + "\"type\":\"t\"}]}")
                .status)
        .isEqualTo(201);
  }

  @AfterAll
  void tearDown() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void the_keys_hash_to_the_configured_hashes() throws Exception {
    assertThat(sha256("admin-key")).isEqualTo(ADMIN_HASH);
    assertThat(sha256("reader-key")).isEqualTo(READER_HASH);
    assertThat(sha256("writer-key")).isEqualTo(WRITER_HASH);
    assertThat(sha256("outsider-key")).isEqualTo(OUTSIDER_HASH);
  }

  // ------------------------------------------------------------------------------------- REST

  /** Spring MVC's routes as (method, pattern); the catch-all {@code /error} page apart. */
  Set<String> mvcRoutes() {
    var out = new TreeSet<String>();
    for (RequestMappingInfo info : routes.getHandlerMethods().keySet()) {
      for (String pattern : info.getPatternValues()) {
        var methods = info.getMethodsCondition().getMethods();
        if (methods.isEmpty()) {
          assertThat(AccessRules.OPEN_PATHS)
              .as("a route for every method must be an open path: " + pattern)
              .contains(pattern);
          continue;
        }
        // a path variable's regex (events/{revision:...}) is not part of the rule's pattern
        String plain = pattern.replaceAll("\\{(\\w+):[^}]*}", "{$1}");
        methods.forEach(m -> out.add(m.name() + " " + plain));
      }
    }
    return out;
  }

  @Test
  void every_route_has_a_rule() {
    var ruled = new TreeSet<String>();
    AccessRules.REST.forEach(r -> ruled.add(r.method().name() + " " + r.pattern()));
    assertThat(ruled)
        .as("AccessRules.REST must list exactly the routes of Spring MVC")
        .isEqualTo(mvcRoutes());
  }

  @TestFactory
  Stream<DynamicTest> rest_matrix() {
    var tests = new ArrayList<DynamicTest>();
    for (AccessRules.RestRule rule : AccessRules.REST) {
      for (Key key : Key.values()) {
        Outcome expected = expected(rule.permission(), key);
        tests.add(
            DynamicTest.dynamicTest(
                rule.method() + " " + rule.pattern() + " with " + key + " -> " + expected,
                () -> {
                  String path = concrete(rule.pattern(), database(rule.permission()));
                  if (path.endsWith("/live")) {
                    path += "?from_revision=1";
                  }
                  var response = call(rule.method().name(), path, key, "{}");
                  assertThat(outcome(response.status, response.text))
                      .as(
                          "%s %s with %s: %s %s",
                          rule.method(), path, key, response.status, response.text)
                      .isEqualTo(expected);
                  if (expected == Outcome.ALLOWED && path.contains("/live")) {
                    assertThat(response.status).isEqualTo(200);
                    assertThat(response.text).startsWith(":subscribed");
                  }
                }));
      }
    }
    return tests.stream();
  }

  /** The route with a sample value for each variable; an unknown variable fails the test. */
  static String concrete(String pattern, String database) {
    var m = java.util.regex.Pattern.compile("\\{([a-z_]+)\\}").matcher(pattern);
    var out = new StringBuilder();
    while (m.find()) {
      String value =
          switch (m.group(1)) {
            case "db" -> database;
            case "revision", "version" -> "1";
            case "name" -> "counter";
            case "transaction_id", "id" -> UUID.randomUUID().toString();
            default ->
                throw new AssertionError("no sample value for {" + m.group(1) + "} in " + pattern);
          };
      m.appendReplacement(out, value);
    }
    m.appendTail(out);
    return out.toString();
  }

  @Test
  void listing_shows_only_the_databases_the_key_can_read() {
    call("POST", "/api/v1/databases", Key.ADMIN, "{\"name\":\"elsewhere\"}");
    assertThat(call("GET", "/api/v1/databases", Key.READ, null).text)
        .contains("\"matrix\"")
        .doesNotContain("\"elsewhere\"");
    assertThat(call("GET", "/api/v1/databases", Key.OTHER_DATABASE, null).text)
        .contains("\"elsewhere\"")
        .doesNotContain("\"matrix\"");
    assertThat(call("GET", "/api/v1/databases", Key.WRITE, null).text)
        .isEqualTo("{\"databases\":[]}");
  }

  @Test
  void health_and_readiness_stay_open_and_metrics_need_admin() {
    assertThat(call("GET", "/actuator/health", Key.NONE, null).status).isEqualTo(200);
    assertThat(call("GET", "/actuator/health/readiness", Key.NONE, null).status).isEqualTo(200);
    assertThat(call("GET", "/actuator/health/liveness", Key.NONE, null).status).isEqualTo(200);
    assertThat(call("GET", "/actuator", Key.NONE, null).status).isEqualTo(401);
    assertThat(call("GET", "/actuator", Key.READ, null).status).isEqualTo(403);
    assertThat(call("GET", "/actuator", Key.ADMIN, null).status).isEqualTo(200);
  }

  @Test
  void refusals_name_the_scope_and_never_echo_the_key() {
    var forbidden = call("GET", "/api/v1/databases/" + DB + "/events", Key.WRITE, null);
    assertThat(forbidden.status).isEqualTo(403);
    assertThat(forbidden.text)
        .contains("\"code\":\"forbidden\"")
        .contains("\"scope\":\"read:matrix\"")
        .contains("writer")
        .doesNotContain("writer-key");
    var unknown = call("GET", "/api/v1/databases", Key.WRONG, null);
    assertThat(unknown.status).isEqualTo(401);
    assertThat(unknown.text)
        .contains("\"code\":\"unauthenticated\"")
        .doesNotContain(Key.WRONG.secret);
    assertThat(unknown.header).isEqualTo("Bearer realm=\"evidentsource\"");
    var missing = call("GET", "/api/v1/databases", Key.NONE, null);
    assertThat(missing.status).isEqualTo(401);
    assertThat(missing.text).contains("\"code\":\"unauthenticated\"").contains("X-API-Key");
  }

  @Autowired io.micrometer.core.instrument.MeterRegistry meters;

  double refusals(String reason) {
    var counter = meters.find(AuthFailures.METER).tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void refusals_are_counted_by_reason() {
    double missing = refusals("missing_key");
    double unknown = refusals("unknown_key");
    double forbidden = refusals("forbidden");
    call("GET", "/api/v1/databases", Key.NONE, null);
    call("GET", "/api/v1/databases", Key.WRONG, null);
    call("GET", "/api/v1/databases", Key.WRONG, null);
    call("DELETE", "/api/v1/databases/" + DB, Key.READ, null);
    assertThat(refusals("missing_key")).isEqualTo(missing + 1);
    assertThat(refusals("unknown_key")).isEqualTo(unknown + 2);
    assertThat(refusals("forbidden")).isEqualTo(forbidden + 1);
  }

  @Test
  void the_key_may_come_as_x_api_key() throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/databases/" + DB))
            .header("X-API-Key", "reader-key")
            .GET()
            .build();
    assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
  }

  static Outcome outcome(int status, String body) {
    if (status == 401) {
      assertThat(body).contains("\"code\":\"unauthenticated\"");
      return Outcome.UNAUTHENTICATED;
    }
    if (status == 403) {
      assertThat(body).contains("\"code\":\"forbidden\"");
      return Outcome.FORBIDDEN;
    }
    return Outcome.ALLOWED;
  }

  record Reply(int status, String text, @Nullable String header) {}

  /** Sends the request; a streaming answer (the live tail) is read up to its first line. */
  Reply call(String method, String path, Key key, @Nullable String json) {
    try {
      return send(method, path, key, json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private Reply send(String method, String path, Key key, @Nullable String json)
      throws IOException, InterruptedException {
    var b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30));
    if (key.secret != null) {
      b.header("Authorization", "Bearer " + key.secret);
    }
    if (json != null && !method.equals("GET") && !method.equals("DELETE")) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<InputStream> response =
        http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      String text;
      if (response
          .headers()
          .firstValue("Content-Type")
          .orElse("")
          .startsWith("text/event-stream")) {
        var line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
          line.append((char) c);
        }
        text = line.toString();
      } else {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      return new Reply(
          response.statusCode(),
          text,
          response.headers().firstValue("WWW-Authenticate").orElse(null));
    }
  }

  // ------------------------------------------------------------------------------------- gRPC

  @Test
  void every_grpc_method_has_a_rule() {
    var methods = new TreeSet<String>();
    EvidentSourceGrpc.getServiceDescriptor()
        .getMethods()
        .forEach(m -> methods.add(m.getFullMethodName()));
    assertThat(new TreeSet<>(AccessRules.GRPC.keySet()))
        .as("AccessRules.GRPC must list exactly the methods of the service")
        .isEqualTo(methods);
  }

  @TestFactory
  Stream<DynamicTest> grpc_matrix() {
    var methods =
        new ArrayList<MethodDescriptor<?, ?>>(
            EvidentSourceGrpc.getServiceDescriptor().getMethods());
    methods.sort(
        Comparator.comparing(
            (MethodDescriptor<?, ?> m) -> m.getBareMethodName().equals("DeleteDatabase")));
    var tests = new ArrayList<DynamicTest>();
    for (MethodDescriptor<?, ?> method : methods) {
      var rule = AccessRules.GRPC.get(method.getFullMethodName());
      assertThat(rule).as(method.getFullMethodName()).isNotNull();
      for (Key key : Key.values()) {
        Outcome expected = expected(rule.permission(), key);
        tests.add(
            DynamicTest.dynamicTest(
                method.getFullMethodName() + " with " + key + " -> " + expected,
                () -> assertThat(grpcOutcome(method, key, rule.permission())).isEqualTo(expected)));
      }
    }
    return tests.stream();
  }

  @SuppressWarnings("unchecked")
  <Q, R> Outcome grpcOutcome(MethodDescriptor<Q, R> method, Key key, Permission permission) {
    var prototype =
        (Message)
            ((MethodDescriptor.PrototypeMarshaller<Q>) method.getRequestMarshaller())
                .getMessagePrototype();
    var builder = prototype.toBuilder();
    for (String field : List.of("database", "name")) {
      FieldDescriptor f = builder.getDescriptorForType().findFieldByName(field);
      if (f != null && f.getType() == FieldDescriptor.Type.STRING) {
        builder.setField(
            f,
            field.equals("name") && !method.getBareMethodName().contains("Database")
                ? "counter"
                : database(permission));
      }
    }
    FieldDescriptor from = builder.getDescriptorForType().findFieldByName("from_revision");
    if (from != null) {
      builder.setField(from, 1L);
    }
    Q request = (Q) builder.build();
    var headers = new Metadata();
    if (key.secret != null) {
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + key.secret);
    }
    Channel withKey =
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    var options = CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS);
    try (var context = Context.current().withCancellation()) {
      return context.call(
          () -> {
            try {
              if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
                // the first message or the end: a subscription from revision 1 sends the event
                var unused =
                    ClientCalls.blockingServerStreamingCall(withKey, method, options, request)
                        .hasNext();
              } else {
                ClientCalls.blockingUnaryCall(withKey, method, options, request);
              }
              return Outcome.ALLOWED;
            } catch (StatusRuntimeException e) {
              Status.Code code = e.getStatus().getCode();
              if (code == Status.Code.UNAUTHENTICATED) {
                assertThat(reason(e)).isEqualTo("unauthenticated");
                return Outcome.UNAUTHENTICATED;
              }
              if (code == Status.Code.PERMISSION_DENIED) {
                assertThat(reason(e)).isEqualTo("forbidden");
                return Outcome.FORBIDDEN;
              }
              return Outcome.ALLOWED;
            }
          });
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String reason(StatusRuntimeException e) {
    var status = io.grpc.protobuf.StatusProto.fromThrowable(e);
    assertThat(status).isNotNull();
    for (var detail : status.getDetailsList()) {
      if (detail.is(com.google.rpc.ErrorInfo.class)) {
        try {
          return detail.unpack(com.google.rpc.ErrorInfo.class).getReason();
        } catch (com.google.protobuf.InvalidProtocolBufferException x) {
          throw new AssertionError(x);
        }
      }
    }
    throw new AssertionError("no ErrorInfo in " + status);
  }

  static String sha256(String key) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
  }
}
