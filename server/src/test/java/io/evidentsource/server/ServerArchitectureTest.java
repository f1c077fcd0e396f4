package io.evidentsource.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Spring at the edge (STYLE): package-private web classes, constructor injection only. */
class ServerArchitectureTest {
  static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.evidentsource.server");

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
  void only_the_main_class_is_public() {
    classes()
        .that()
        .haveModifier(JavaModifier.PUBLIC)
        .should()
        .haveFullyQualifiedName(EvidentSourceServer.class.getName())
        .check(MAIN);
  }

  @Test
  void the_server_does_not_reach_into_core_internals() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.evidentsource.core.index..", "io.evidentsource.storage.memory..")
        .because(
            "the server talks to the EventStore facade; only the memory profile's"
                + " configuration may create the in-memory adapter")
        .check(MAIN.that(not(equivalentTo(MemoryStorageConfiguration.class))));
  }
}
