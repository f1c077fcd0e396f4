package io.evidentsource.json;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.evidentsource.json");

  @Test
  void the_json_encodings_depend_on_core_and_jackson_only() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.springframework..",
            "io.cloudevents..",
            "com.fasterxml.jackson.databind..",
            "io.evidentsource.server..",
            "io.evidentsource.storage..")
        .check(MAIN);
  }
}
