package io.evidentsource.server.security;

import static io.evidentsource.server.security.Permission.ADMIN;
import static io.evidentsource.server.security.Permission.AUTHENTICATED;
import static io.evidentsource.server.security.Permission.OPEN;
import static io.evidentsource.server.security.Permission.READ;
import static io.evidentsource.server.security.Permission.WRITE;
import static org.springframework.http.HttpMethod.DELETE;
import static org.springframework.http.HttpMethod.GET;
import static org.springframework.http.HttpMethod.POST;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;

/**
 * The access rule of every REST route and gRPC method (docs/security.md#what-each-scope-allows). A
 * route or method without a rule is refused to all but {@code admin}, and {@code AccessMatrixTest}
 * fails the build when the route list of Spring MVC or the gRPC service descriptor has an entry
 * this table does not.
 */
public final class AccessRules {
  private AccessRules() {}

  /**
   * A REST route's rule. The database is the {@code {db}} variable of the pattern.
   *
   * @param method the HTTP method (HEAD follows GET)
   * @param pattern the route as Spring MVC declares it
   * @param permission what the caller needs
   */
  public record RestRule(HttpMethod method, String pattern, Permission permission) {}

  private static final String DB = "/api/v1/databases/{db}";

  /** In matching order: a literal segment comes before a variable in the same place. */
  public static final List<RestRule> REST =
      List.of(
          new RestRule(GET, "/api/v1/openapi.json", OPEN),
          new RestRule(GET, "/api/v1/server", AUTHENTICATED),
          // the web UI's sign-in: open, since the key is in the body; who is signed in needs one
          new RestRule(POST, "/api/v1/session", OPEN),
          new RestRule(GET, "/api/v1/session", AUTHENTICATED),
          new RestRule(DELETE, "/api/v1/session", OPEN),
          new RestRule(GET, "/api/v1/databases", AUTHENTICATED),
          new RestRule(POST, "/api/v1/databases", ADMIN),
          new RestRule(POST, "/api/v1/admin/backups", ADMIN),
          new RestRule(POST, "/api/v1/admin/databases/{db}/index-rebuilds", ADMIN),
          new RestRule(GET, "/api/v1/admin/databases/{db}/index-rebuilds/{id}", ADMIN),
          new RestRule(GET, DB, READ),
          new RestRule(DELETE, DB, ADMIN),
          new RestRule(POST, DB + "/transactions", WRITE),
          new RestRule(GET, DB + "/transactions/{transaction_id}", READ),
          new RestRule(POST, DB + "/events", WRITE),
          new RestRule(GET, DB + "/events", READ),
          new RestRule(POST, DB + "/events/query", READ),
          new RestRule(GET, DB + "/events/live", READ),
          new RestRule(GET, DB + "/events/{revision}", READ),
          new RestRule(POST, DB + "/state-views", ADMIN),
          new RestRule(GET, DB + "/state-views", READ),
          new RestRule(GET, DB + "/state-views/{name}", READ),
          new RestRule(GET, DB + "/state-views/{name}/versions", READ),
          new RestRule(GET, DB + "/state-views/{name}/versions/{version}", READ),
          new RestRule(GET, DB + "/state-views/{name}/versions/{version}/module", READ),
          new RestRule(POST, DB + "/state-changes", ADMIN),
          new RestRule(GET, DB + "/state-changes", READ),
          new RestRule(GET, DB + "/state-changes/{name}", READ),
          new RestRule(GET, DB + "/state-changes/{name}/versions", READ),
          new RestRule(GET, DB + "/state-changes/{name}/versions/{version}", READ),
          new RestRule(GET, DB + "/state-changes/{name}/versions/{version}/module", READ),
          new RestRule(POST, DB + "/state-changes/{name}/commands", WRITE),
          new RestRule(POST, DB + "/state-changes/{name}/versions/{version}/commands", WRITE));

  /**
   * Paths that are not API routes: open ones (the web UI's files, health and readiness) and the
   * servlet container's error page.
   */
  public static final List<String> OPEN_PATHS =
      List.of("/", "/ui", "/ui/**", "/actuator/health", "/actuator/health/**", "/error");

  /**
   * A gRPC method's rule.
   *
   * @param permission what the caller needs
   * @param databaseField the request field naming the database, or null
   */
  public record GrpcRule(Permission permission, @Nullable String databaseField) {}

  private static final String SERVICE = "evidentsource.v1.EvidentSource/";

  /** By full method name, e.g. {@code evidentsource.v1.EvidentSource/Transact}. */
  public static final Map<String, GrpcRule> GRPC =
      Map.ofEntries(
          Map.entry(SERVICE + "CreateDatabase", new GrpcRule(ADMIN, null)),
          Map.entry(SERVICE + "DeleteDatabase", new GrpcRule(ADMIN, null)),
          Map.entry(SERVICE + "ListDatabases", new GrpcRule(AUTHENTICATED, null)),
          Map.entry(SERVICE + "GetDatabase", new GrpcRule(READ, "name")),
          Map.entry(SERVICE + "Transact", new GrpcRule(WRITE, "database")),
          Map.entry(SERVICE + "GetTransaction", new GrpcRule(READ, "database")),
          Map.entry(SERVICE + "QueryEvents", new GrpcRule(READ, "database")),
          Map.entry(SERVICE + "GetEvent", new GrpcRule(READ, "database")),
          Map.entry(SERVICE + "SubscribeEvents", new GrpcRule(READ, "database")),
          Map.entry(SERVICE + "PublishStateView", new GrpcRule(ADMIN, null)),
          Map.entry(SERVICE + "ListStateViews", new GrpcRule(READ, "database")),
          Map.entry(SERVICE + "DescribeStateView", new GrpcRule(READ, "database")),
          Map.entry(SERVICE + "ReadStateView", new GrpcRule(READ, "database")),
          Map.entry(SERVICE + "PublishStateChange", new GrpcRule(ADMIN, null)),
          Map.entry(SERVICE + "ListStateChanges", new GrpcRule(READ, "database")),
          Map.entry(SERVICE + "DescribeStateChange", new GrpcRule(READ, "database")),
          Map.entry(SERVICE + "ExecuteCommand", new GrpcRule(WRITE, "database")),
          Map.entry(SERVICE + "DryRunCommand", new GrpcRule(WRITE, "database")));

  /** gRPC services open to anyone: health checks and server reflection. */
  public static final List<String> OPEN_GRPC_SERVICES =
      List.of(
          "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection");
}
