package io.evidentsource.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.evidentsource.core.index.IndexSegmentRebuilder;
import io.evidentsource.json.JsonSupport;
import io.evidentsource.server.config.Backups;
import io.evidentsource.server.config.EvidentSourceProperties;
import io.evidentsource.server.config.IndexRebuilds;
import io.evidentsource.server.config.NotificationHealth;
import io.evidentsource.server.config.QueryBudgets;
import io.evidentsource.server.config.RestoreCommand;
import io.evidentsource.server.config.WasmProperties;
import io.evidentsource.server.live.LiveTail;
import io.evidentsource.server.live.LiveTails;
import io.evidentsource.server.observe.DatabaseGauges;
import io.evidentsource.server.observe.TraceHeaders;
import io.evidentsource.server.problem.ProblemResponses;
import io.evidentsource.server.request.BodyLimits;
import io.evidentsource.server.request.ComponentRequests;
import io.evidentsource.server.request.FatalErrors;
import io.evidentsource.server.request.RequestAdmission;
import io.evidentsource.server.security.AccessRules;
import io.evidentsource.server.security.ApiKeys;
import io.evidentsource.server.security.AuthFailures;
import io.evidentsource.server.security.Caller;
import io.evidentsource.server.security.Callers;
import io.evidentsource.server.security.DatabasePattern;
import io.evidentsource.server.security.Permission;
import io.evidentsource.server.security.PresentedKeys;
import io.evidentsource.server.security.RequestOrigins;
import io.evidentsource.server.security.Scope;
import io.evidentsource.server.security.SecurityProperties;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Spring at the edge (STYLE): package-private web classes, constructor injection only; and the
 * server's packages by role, each depending only inward: {@code rest} and {@code grpc} translate
 * their protocols, {@code problem} answers HTTP failures, {@code request} holds the rules both APIs
 * share, {@code live} the live tail both stream, and {@code config} alone assembles storage
 * adapters and runtimes; within it, only the {@code *StorageConfiguration} classes touch storage
 * modules and cloud SDKs.
 */
class ServerArchitectureTest {
  static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.evidentsource.server");

  static final String ROOT = "io.evidentsource.server";
  static final String REST = "io.evidentsource.server.rest..";
  static final String GRPC = "io.evidentsource.server.grpc..";
  static final String CONFIG = "io.evidentsource.server.config..";
  static final String PROBLEM = "io.evidentsource.server.problem..";
  static final String REQUEST = "io.evidentsource.server.request..";
  static final String LIVE = "io.evidentsource.server.live..";
  static final String UI = "io.evidentsource.server.ui..";
  static final String SECURITY = "io.evidentsource.server.security..";
  static final String OBSERVE = "io.evidentsource.server.observe..";

  /**
   * Storage adapters, the Kafka ingress, cloud SDKs and the WebAssembly runtime, which only config
   * may assemble.
   */
  static final String[] ADAPTERS = {
    "io.evidentsource.storage..",
    "io.evidentsource.ingress..",
    "software.amazon.awssdk..",
    "org.apache.kafka..",
    "io.evidentsource.wasm..",
    "com.dylibso.chicory..",
  };

  /** Storage modules and the cloud SDKs their adapters use. */
  static final String[] STORAGE_AND_SDKS = {
    "io.evidentsource.storage..", "software.amazon.awssdk..", "org.apache.kafka..",
  };

  static boolean isStorageConfiguration(JavaClass c) {
    JavaClass outer = c;
    while (outer.getEnclosingClass().isPresent()) {
      outer = outer.getEnclosingClass().get();
    }
    return outer.getPackageName().equals("io.evidentsource.server.config")
        && outer.getSimpleName().endsWith("StorageConfiguration");
  }

  @Nested
  class spring_at_the_edge {
    @Test
    void controllers_advice_and_configurations_are_package_private() {
      classes()
          .that()
          .areAnnotatedWith(RestController.class)
          .or()
          .areAnnotatedWith(RestControllerAdvice.class)
          .or()
          .areAnnotatedWith(Configuration.class)
          .should()
          .notHaveModifier(JavaModifier.PUBLIC)
          .check(MAIN);
    }

    @Test
    void nothing_is_field_injected() {
      noFields().should().beAnnotatedWith(Autowired.class).check(MAIN);
    }

    @Test
    void public_are_only_the_main_class_and_what_crosses_packages() {
      classes()
          .that()
          .doNotBelongToAnyOf(
              EvidentSourceServer.class,
              // settings, used by rest and grpc
              EvidentSourceProperties.class,
              WasmProperties.class,
              // each query request's budget, used by rest and grpc
              QueryBudgets.class,
              // the live tail pump and its threads, used by rest, grpc and config
              LiveTail.class,
              LiveTails.class,
              // request rules shared by rest and grpc
              BodyLimits.class,
              ComponentRequests.class,
              RequestAdmission.class,
              RequestAdmission.Limits.class,
              RequestAdmission.Permit.class,
              RequestAdmission.Refusals.class,
              // the out-of-memory guard: armed by main, called by the error handlers
              FatalErrors.class,
              // who may call what, used by rest and grpc
              ProblemResponses.class,
              SecurityProperties.class,
              ApiKeys.class,
              AuthFailures.class,
              AuthFailures.Reason.class,
              AccessRules.class,
              AccessRules.RestRule.class,
              AccessRules.GrpcRule.class,
              Caller.class,
              Callers.class,
              Permission.class,
              PresentedKeys.class,
              RequestOrigins.class,
              Scope.class,
              DatabasePattern.class,
              // the local profile's backups (rest) and restore command (the main class)
              Backups.class,
              Backups.Backup.class,
              RestoreCommand.class,
              // the admin API's index segment rebuilds (rest), run by config
              IndexRebuilds.class,
              IndexRebuilds.State.class,
              IndexRebuilds.Status.class,
              // the per-database gauges, which config feeds from the notification relay
              DatabaseGauges.class,
              // the relay's failures per database, which rest shows (GET .../databases/{db})
              NotificationHealth.class,
              NotificationHealth.Failure.class,
              // the current span's W3C headers: for the core's observer and, in config, the relay
              TraceHeaders.class)
          .should()
          .notBePublic()
          .because("a class is package-private unless another server package uses it")
          .check(MAIN);
    }
  }

  @Nested
  class packages_by_role {
    @Test
    void the_root_package_holds_only_the_application() {
      classes()
          .that()
          .resideInAPackage(ROOT)
          .should()
          .haveSimpleName(EvidentSourceServer.class.getSimpleName())
          .orShould()
          .haveSimpleName("package-info")
          .check(MAIN);
    }

    @Test
    void each_package_is_used_only_by_the_ones_that_need_it() {
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("application")
          .definedBy(ROOT)
          .layer("rest")
          .definedBy(REST)
          .layer("grpc")
          .definedBy(GRPC)
          .layer("problem")
          .definedBy(PROBLEM)
          .layer("request")
          .definedBy(REQUEST)
          .layer("config")
          .definedBy(CONFIG)
          .layer("live")
          .definedBy(LIVE)
          .layer("ui")
          .definedBy(UI)
          .layer("security")
          .definedBy(SECURITY)
          .layer("observe")
          .definedBy(OBSERVE)
          .whereLayer("application")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("rest")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("grpc")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("ui")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("problem")
          .mayOnlyBeAccessedByLayers("rest", "security")
          .whereLayer("security")
          // observe: its request-id filter assigns the id the audit records (RequestOrigins)
          .mayOnlyBeAccessedByLayers("rest", "grpc", "observe")
          .whereLayer("request")
          // the application and the error handlers arm and call the out-of-memory guard; config
          // makes the request admission from its properties
          .mayOnlyBeAccessedByLayers("rest", "grpc", "problem", "application", "config")
          .whereLayer("config")
          // the application: its main method runs the local profile's restore command
          .mayOnlyBeAccessedByLayers("rest", "grpc", "application")
          .whereLayer("live")
          .mayOnlyBeAccessedByLayers("rest", "grpc", "config")
          .whereLayer("observe")
          .mayOnlyBeAccessedByLayers("config")
          .because(
              "Spring finds the controllers, handlers and configurations; they depend inward on"
                  + " the shared request rules and settings, never on each other's protocol")
          .check(MAIN);
    }

    @Test
    void rest_and_grpc_do_not_depend_on_each_other() {
      String because = "what both APIs share lives in server.request, server.config or the core";
      noClasses()
          .that()
          .resideInAPackage(REST)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(GRPC)
          .because(because)
          .check(MAIN);
      noClasses()
          .that()
          .resideInAPackage(GRPC)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(REST)
          .because(because)
          .check(MAIN);
    }

    @Test
    void the_shared_request_rules_and_the_live_tail_are_protocol_free() {
      noClasses()
          .that()
          .resideInAnyPackage(REQUEST, LIVE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework.web..",
              "org.springframework.http..",
              "io.grpc..",
              "jakarta.servlet..")
          .check(MAIN);
    }

    @Test
    void response_bodies_are_records_written_by_springs_one_json_mapper() {
      noClasses()
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("tools.jackson.databind.node.ObjectNode")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("tools.jackson.databind.node.ArrayNode")
          .orShould()
          .callMethod(JsonSupport.class, "mapper")
          .because(
              "REST bodies are records (rest.WireJson, problem.Problem) that the application's"
                  + " JsonMapper writes, with EvidentSourceJsonModule for events and selectors")
          .check(MAIN);
    }

    @Test
    void only_config_touches_storage_adapters_sdks_and_the_wasm_runtime() {
      noClasses()
          .that()
          .resideOutsideOfPackage(CONFIG)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(ADAPTERS)
          .because("the storage profiles and runtimes are assembled in server.config alone")
          .check(MAIN);
    }

    @Test
    void only_the_storage_configurations_touch_storage_modules_and_cloud_sdks() {
      noClasses()
          .that(
              DescribedPredicate.describe(
                  "are no storage configuration (config.*StorageConfiguration or nested in one)",
                  c -> !isStorageConfiguration(c)))
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(STORAGE_AND_SDKS)
          .because(
              "each storage profile is one *StorageConfiguration class that builds the module's"
                  + " Storage; everything else is wired from that bean"
                  + " (docs/architecture.md#storage-modules)")
          .check(MAIN);
    }

    @Test
    void the_server_does_not_reach_into_core_internals() {
      noClasses()
          .should()
          .dependOnClassesThat(
              JavaClass.Predicates.resideInAnyPackage("io.evidentsource.core.index..")
                  .and(
                      DescribedPredicate.not(
                          JavaClass.Predicates.belongToAnyOf(IndexSegmentRebuilder.class))))
          .because(
              "the server talks to the EventStore facade (and, for the admin API's index"
                  + " rebuilds, to the segment rebuilder)")
          .check(MAIN);
    }
  }
}
