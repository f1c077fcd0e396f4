package io.evidentsource.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.storage.dynamodb.DynamoDbFixture;
import io.evidentsource.storage.dynamodb.DynamoDbSchema;
import io.evidentsource.storage.dynamodb.DynamoDbTables;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code deploy/terraform}: the linters that run here (checkov, tflint), and the module read as
 * data and held against the code it deploys: the tables the DynamoDB adapter creates and checks,
 * the server's configuration properties, ports and health checks, the live-tail heartbeat, and the
 * AWS actions the adapters call.
 */
class TerraformTest {
  static final String MODULE = "deploy/terraform/modules/evidentsource";
  static final Terraform module = Terraform.parse(MODULE);

  /**
   * Actions only used with evidentsource.dynamodb.create-tables=true, which the module sets off.
   */
  static final Set<String> CREATE_ONLY = Set.of("dynamodb:CreateTable", "s3:CreateBucket");

  static Map<String, String> environment() {
    var env = new LinkedHashMap<String, String>();
    module
        .local("environment")
        .properties()
        .forEach(e -> env.put(e.getKey(), e.getValue().asString()));
    return env;
  }

  static JsonNode container(String name) {
    for (JsonNode c : module.local("container_definitions")) {
      if (c.path("name").asString().equals(name)
          || (name.equals("evidentsource")
              && c.path("name").asString().equals("${local.container_name}"))) {
        return c;
      }
    }
    throw new IllegalStateException("no container " + name);
  }

  @Nested
  class Linters {
    @Test
    void checkov_fails_nothing_and_every_skip_says_why() {
      var checkov = Tools.checkov();
      var result =
          Tools.run(
              Repo.path("deploy/terraform"),
              Map.of(),
              Duration.ofMinutes(5),
              checkov,
              "-d",
              ".",
              "--framework",
              "terraform",
              "--skip-download",
              "--quiet",
              "--output",
              "json");
      JsonNode report = JsonMapper.builder().build().readTree(result.output());
      List<JsonNode> reports = new ArrayList<>();
      if (report.isArray()) {
        report.forEach(reports::add);
      } else {
        reports.add(report);
      }
      for (JsonNode r : reports) {
        var failed = new ArrayList<String>();
        r.path("results")
            .path("failed_checks")
            .forEach(
                f ->
                    failed.add(
                        f.path("check_id").asString()
                            + " "
                            + f.path("resource").asString()
                            + " ("
                            + f.path("file_path").asString()
                            + ")"));
        assertThat(failed).as("checkov failed checks").isEmpty();
        r.path("results")
            .path("skipped_checks")
            .forEach(
                s ->
                    assertThat(s.path("check_result").path("suppress_comment").asString(""))
                        .as("reason for skipping %s", s.path("check_id").asString())
                        .hasSizeGreaterThan(20));
        assertThat(r.path("summary").path("passed").asInt()).isGreaterThan(100);
      }
      assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void every_file_is_formatted_as_terraform_fmt_formats_it() throws IOException {
      var hclfmt =
          Tools.locate(
              "hclfmt",
              "go install github.com/hashicorp/hcl/v2/cmd/hclfmt@v2.24.0 (.ci/run does it)",
              Tools.goBin("hclfmt"));
      List<java.nio.file.Path> files;
      try (var walk = Files.walk(Repo.path("deploy/terraform"))) {
        files = walk.filter(p -> p.toString().endsWith(".tf")).sorted().toList();
      }
      assertThat(files).hasSizeGreaterThan(10);
      for (var file : files) {
        var result = Tools.run(Repo.root(), Map.of(), Duration.ofMinutes(1), hclfmt, file);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output())
            .as("%s as hclfmt formats it", file)
            .isEqualTo(Files.readString(file));
      }
    }

    @Test
    void tflint_reports_nothing_with_every_bundled_rule() {
      var tflint =
          Tools.locate(
              "tflint",
              "go install github.com/terraform-linters/tflint@v0.64.0 (.ci/run does it)",
              Tools.goBin("tflint"));
      var result =
          Tools.run(
              Repo.path("deploy/terraform"),
              Map.of(),
              Duration.ofMinutes(5),
              tflint,
              "--recursive",
              "--config",
              Repo.path("deploy/terraform/.tflint.hcl"),
              "--minimum-failure-severity=notice");
      assertThat(result.exitCode()).as(result.output()).isZero();
    }
  }

  @Nested
  class Tables {
    @Test
    void are_the_tables_the_adapter_creates_with_the_same_keys_and_types() {
      var tables = new DynamoDbTables("tf" + UUID.randomUUID().toString().substring(0, 8));
      var client = DynamoDbFixture.client();
      DynamoDbSchema.ensure(client, tables, true);

      JsonNode declared = module.local("tables");
      assertThat(names(declared))
          .as("table names: {prefix}-{key of local.tables}")
          .containsExactlyInAnyOrderElementsOf(
              tables.all().stream().map(t -> t.substring(tables.prefix().length() + 1)).toList());
      for (String table : tables.all()) {
        String key = table.substring(tables.prefix().length() + 1);
        TableDescription created = client.describeTable(b -> b.tableName(table)).table();
        JsonNode spec = declared.get(key);
        var types =
            created.attributeDefinitions().stream()
                .collect(Collectors.toMap(a -> a.attributeName(), a -> a.attributeTypeAsString()));
        var hash = keyOf(created, KeyType.HASH);
        assertThat(spec.path("hash_key").asString()).as(key + " hash key").isEqualTo(hash);
        assertThat(types.get(hash))
            .as(key + " hash key type (the module declares S)")
            .isEqualTo("S");
        String range = created.keySchema().size() > 1 ? keyOf(created, KeyType.RANGE) : null;
        if (range == null) {
          assertThat(spec.path("range_key").isNull()).as(key + " has no range key").isTrue();
        } else {
          assertThat(spec.path("range_key").asString()).as(key + " range key").isEqualTo(range);
          assertThat(spec.path("range_key_type").asString())
              .as(key + " range key type")
              .isEqualTo(types.get(range));
        }
        assertThat(created.billingModeSummary().billingMode())
            .isEqualTo(BillingMode.PAY_PER_REQUEST);
      }
    }

    @Test
    void are_declared_from_that_map_on_demand_with_point_in_time_recovery_and_encryption() {
      JsonNode table = module.resource("aws_dynamodb_table", "this");
      assertThat(table.path("for_each").asString()).isEqualTo("${local.tables}");
      assertThat(table.path("name").asString()).isEqualTo("${local.table_prefix}-${each.key}");
      assertThat(table.path("hash_key").asString()).isEqualTo("${each.value.hash_key}");
      assertThat(table.path("range_key").asString()).isEqualTo("${each.value.range_key}");
      assertThat(table.path("attribute").get(0).path("type").asString()).isEqualTo("S");
      JsonNode range = table.path("dynamic").get(0).path("attribute").path("content").get(0);
      assertThat(range.path("name").asString()).isEqualTo("${attribute.value.range_key}");
      assertThat(range.path("type").asString()).isEqualTo("${attribute.value.range_key_type}");
      assertThat(table.path("billing_mode").asString()).isEqualTo("PAY_PER_REQUEST");
      assertThat(table.path("point_in_time_recovery").get(0).path("enabled").asBoolean()).isTrue();
      assertThat(table.path("server_side_encryption").get(0).path("enabled").asBoolean()).isTrue();
      assertThat(module.local("table_prefix").asString()).isEqualTo("${var.name}");
      assertThat(environment())
          .containsEntry("EVIDENTSOURCE_DYNAMODB_TABLE_PREFIX", "${local.table_prefix}");
    }

    private static List<String> names(JsonNode object) {
      var names = new ArrayList<String>();
      object.properties().forEach(e -> names.add(e.getKey()));
      return names;
    }

    private static String keyOf(TableDescription table, KeyType type) {
      return table.keySchema().stream()
          .filter(k -> k.keyType() == type)
          .findFirst()
          .orElseThrow()
          .attributeName();
    }
  }

  @Nested
  class TaskDefinition {
    @Test
    void every_environment_variable_sets_a_property_of_the_server() {
      var env = environment();
      assertThat(env).hasSizeGreaterThan(5);
      assertThat(env.keySet()).allSatisfy(ServerPropertiesAssert::setsAServerProperty);
      assertThat(container("evidentsource").path("environment").asString())
          .as("the container's environment is exactly local.environment")
          .isEqualTo(
              "${[for key in sort(keys(local.environment)) : {name = key, value ="
                  + " local.environment[key]}]}");
    }

    @Test
    void runs_the_prod_profile_on_dynamodb_sns_with_tables_that_terraform_owns() {
      var env = environment();
      assertThat(env.get("SPRING_PROFILES_ACTIVE").split(",", -1))
          .containsExactly("prod", "dynamodb-sns");
      assertThat(env).containsEntry("EVIDENTSOURCE_DYNAMODB_CREATE_TABLES", "false");
      assertThat(env)
          .containsEntry(
              "EVIDENTSOURCE_DYNAMODB_COMPONENTS_BUCKET", "${aws_s3_bucket.components.bucket}")
          .containsEntry("EVIDENTSOURCE_SNS_TOPIC_ARN", "${aws_sns_topic.commits.arn}")
          .containsEntry("EVIDENTSOURCE_SECURITY_API_KEYS_FILE", "${local.api_keys_file}");
      assertThat(module.local("modules_prefix").asString())
          .as("ADR 0007: modules under {table-prefix}/modules/")
          .isEqualTo("${local.table_prefix}/modules/");
    }

    @Test
    void ports_and_health_checks_are_the_servers_and_the_images() throws IOException {
      var server = ServerProperties.of();
      var dockerfile = Dockerfile.parse(Repo.path("docker/Dockerfile"));
      int restPort = module.local("rest_port").asInt();
      int grpcPort = module.local("grpc_port").asInt();
      assertThat(restPort).isEqualTo(Integer.parseInt(server.defaultValue("server.port")));
      assertThat(grpcPort)
          .isEqualTo(Integer.parseInt(server.defaultValue("spring.grpc.server.port")));
      assertThat(dockerfile.image().only("EXPOSE").arguments())
          .isEqualTo(restPort + " " + grpcPort);
      assertThat(environment())
          .containsEntry("SERVER_PORT", "${tostring(local.rest_port)}")
          .containsEntry("SPRING_GRPC_SERVER_PORT", "${tostring(local.grpc_port)}");

      String readiness = module.local("readiness_path").asString();
      assertThat(readiness).isEqualTo("/actuator/health/readiness");
      var script = Files.readString(Repo.path("docker/healthcheck.sh"));
      assertThat(script).contains("path=\"" + readiness + "\"");
      assertThat(module.local("grpc_health_path").asString())
          .isEqualTo("/grpc.health.v1.Health/Check");

      JsonNode rest = module.resource("aws_lb_target_group", "rest");
      assertThat(rest.path("port").asString()).isEqualTo("${local.rest_port}");
      assertThat(rest.path("protocol_version").asString()).isEqualTo("HTTP1");
      JsonNode restCheck = rest.path("health_check").get(0);
      assertThat(restCheck.path("path").asString()).isEqualTo("${local.readiness_path}");
      assertThat(restCheck.path("matcher").asString()).isEqualTo("200");
      assertThat(restCheck.path("port").asString()).isEqualTo("traffic-port");

      JsonNode grpc = module.resource("aws_lb_target_group", "grpc");
      assertThat(grpc.path("port").asString()).isEqualTo("${local.grpc_port}");
      assertThat(grpc.path("protocol_version").asString()).isEqualTo("GRPC");
      JsonNode grpcCheck = grpc.path("health_check").get(0);
      assertThat(grpcCheck.path("path").asString()).isEqualTo("${local.grpc_health_path}");
      assertThat(grpcCheck.path("matcher").asString()).as("gRPC status OK").isEqualTo("0");

      JsonNode container = container("evidentsource");
      assertThat(container.path("portMappings").findValuesAsString("containerPort"))
          .containsExactly("${local.rest_port}", "${local.grpc_port}");
      var healthCommand = new ArrayList<String>();
      container.path("healthCheck").path("command").forEach(c -> healthCommand.add(c.asString()));
      var expected = new ArrayList<String>(List.of("CMD"));
      expected.addAll(dockerfile.healthcheckCommand());
      assertThat(healthCommand).as("the image's HEALTHCHECK").isEqualTo(expected);

      JsonNode service = module.resource("aws_ecs_service", "this");
      assertThat(service.path("load_balancer").findValuesAsString("container_port"))
          .containsExactly("${local.rest_port}", "${local.grpc_port}");
    }

    @Test
    void tasks_are_reachable_only_from_the_alb_on_the_two_ports() {
      var toTasks =
          module.resources("aws_vpc_security_group_ingress_rule").entrySet().stream()
              .filter(
                  e ->
                      e.getValue()
                          .path("security_group_id")
                          .asString()
                          .equals("${aws_security_group.tasks.id}"))
              .toList();
      assertThat(toTasks).hasSize(1);
      JsonNode rule = toTasks.get(0).getValue();
      assertThat(rule.path("referenced_security_group_id").asString())
          .isEqualTo("${aws_security_group.alb.id}");
      assertThat(rule.has("cidr_ipv4") || rule.has("cidr_ipv6")).isFalse();
      assertThat(rule.path("for_each").path("rest").asString()).isEqualTo("${local.rest_port}");
      assertThat(rule.path("for_each").path("grpc").asString()).isEqualTo("${local.grpc_port}");
      assertThat(rule.path("for_each").size()).isEqualTo(2);
      JsonNode network =
          module.resource("aws_ecs_service", "this").path("network_configuration").get(0);
      assertThat(network.path("assign_public_ip").asBoolean(true)).isFalse();
      assertThat(network.path("security_groups").get(0).asString())
          .isEqualTo("${aws_security_group.tasks.id}");
    }

    @Test
    void an_idle_live_tail_sends_heartbeats_well_inside_the_alb_idle_timeout() {
      int heartbeat = module.variableDefault("subscription_heartbeat_seconds").asInt();
      int idle = module.variableDefault("alb_idle_timeout_seconds").asInt();
      assertThat(heartbeat * 2).isLessThanOrEqualTo(idle);
      assertThat(heartbeat).as("below the ALB's 60 s default").isLessThan(60);
      assertThat(environment())
          .containsEntry(
              "EVIDENTSOURCE_SUBSCRIPTIONS_HEARTBEAT_INTERVAL",
              "${var.subscription_heartbeat_seconds}s");
      JsonNode alb = module.resource("aws_lb", "this");
      assertThat(alb.path("idle_timeout").asString()).isEqualTo("${var.alb_idle_timeout_seconds}");
      assertThat(
              alb.path("lifecycle").get(0).path("precondition").get(0).path("condition").asString())
          .isEqualTo("${var.subscription_heartbeat_seconds * 2 <= var.alb_idle_timeout_seconds}");
      String serverDefault =
          ServerProperties.of().defaultValue("evidentsource.subscriptions.heartbeat-interval");
      assertThat(Duration.parse("PT" + serverDefault.toUpperCase(Locale.ROOT)).toSeconds())
          .as("the server's own default heartbeat, for deployments that do not set it")
          .isLessThan(30);
    }
  }

  @Nested
  class Iam {
    @Test
    void the_task_role_grants_exactly_the_actions_the_adapters_call() {
      var used = AwsActionsUsed.in(ContainerImage.extracted().workdir());
      assertThat(used.keySet())
          .as("create-tables actions are in the code (and left out of the role)")
          .containsAll(CREATE_ONLY);
      var expected = new TreeSet<>(used.keySet());
      expected.removeAll(CREATE_ONLY);

      var granted = new TreeSet<String>();
      statements(module.data("aws_iam_policy_document", "task"))
          .forEach(s -> s.path("actions").forEach(a -> granted.add(a.asString())));
      var missing = new TreeMap<String, Set<String>>(used);
      missing.keySet().removeAll(granted);
      missing.keySet().removeAll(CREATE_ONLY);
      var unused = new TreeSet<>(granted);
      unused.removeAll(expected);
      assertThat(missing).as("called by the code but not granted (action -> callers)").isEmpty();
      assertThat(unused).as("granted but never called by the code").isEmpty();
    }

    @Test
    void the_task_role_grants_no_wildcard() {
      for (JsonNode s : statements(module.data("aws_iam_policy_document", "task"))) {
        assertThat(s.path("effect").asString("Allow")).isEqualTo("Allow");
        s.path("actions").forEach(a -> assertThat(a.asString()).doesNotContain("*"));
        JsonNode resources = s.path("resources");
        assertThat(resources.isArray() || resources.isString()).isTrue();
        var values = new ArrayList<String>();
        if (resources.isArray()) {
          resources.forEach(r -> values.add(r.asString()));
        } else {
          values.add(resources.asString());
        }
        assertThat(values)
            .allSatisfy(
                r -> {
                  assertThat(r).isNotEqualTo("*");
                  assertThat(r).doesNotMatch(Pattern.compile("^arn:[^$]*\\*.*"));
                  assertThat(r).startsWith("${");
                });
      }
    }

    @Test
    void the_execution_role_grants_star_only_for_the_ecr_login_that_allows_nothing_else() {
      for (JsonNode s : statements(module.data("aws_iam_policy_document", "execution"))) {
        boolean star = s.path("resources").toString().contains("\"*\"");
        if (star) {
          assertThat(s.path("actions").get(0).asString()).isEqualTo("ecr:GetAuthorizationToken");
          assertThat(s.path("actions").size()).isEqualTo(1);
        }
        s.path("actions").forEach(a -> assertThat(a.asString()).doesNotContain("*"));
      }
    }

    private static List<JsonNode> statements(JsonNode policy) {
      var all = new ArrayList<JsonNode>();
      policy.path("statement").forEach(all::add);
      policy.path("dynamic").forEach(d -> d.path("statement").path("content").forEach(all::add));
      return all;
    }
  }
}
