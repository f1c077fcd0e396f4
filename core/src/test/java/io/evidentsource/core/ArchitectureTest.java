package io.evidentsource.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** docs/architecture.md#modules: core depends on the JDK (and JSpecify annotations) only. */
class ArchitectureTest {
  private final JavaClasses core =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.evidentsource.core");

  @Test
  void core_depends_on_the_jdk_only() {
    classes()
        .that()
        .resideInAPackage("io.evidentsource.core..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "org.jspecify.annotations..", "io.evidentsource.core..")
        .because(
            "core knows nothing of Spring, gRPC, AWS, Jackson or Chicory (docs/architecture.md)")
        .check(core);
  }

  @Test
  void the_model_does_not_depend_on_engines() {
    classes()
        .that()
        .resideInAnyPackage(
            "io.evidentsource.core.model..",
            "io.evidentsource.core.selector..",
            "io.evidentsource.core.condition..")
        .should()
        .onlyDependOnClassesThat()
        .resideOutsideOfPackages(
            "io.evidentsource.core.index..", "io.evidentsource.core.query..",
            "io.evidentsource.core.command..", "io.evidentsource.core.port..")
        .because("values stay independent of the engines that use them")
        .check(core);
  }
}
