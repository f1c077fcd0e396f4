package io.evidentsource.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Terraform module's files as data, parsed by python-hcl2 (the tests read the configuration;
 * nothing is planned or applied). Literal strings come without quotes; expressions as {@code
 * "${...}"}; each block type maps to a list of blocks.
 */
final class Terraform {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String INSTALL_HINT =
      "the Terraform checks parse HCL with python-hcl2: `pip install python-hcl2` (.ci/run does it)";

  private final JsonNode files;

  private Terraform(JsonNode files) {
    this.files = files;
  }

  /** Parses every {@code *.tf} file of a directory of the repository. */
  static Terraform parse(String directory) {
    try {
      Path script = Files.createTempFile("hcl2json", ".py");
      try (InputStream in = Terraform.class.getResourceAsStream("hcl2json.py")) {
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
      Path python = Tools.locate("python3", INSTALL_HINT);
      var result =
          Tools.run(
              Repo.root(), Map.of(), Duration.ofMinutes(2), python, script, Repo.path(directory));
      Files.delete(script);
      if (result.exitCode() != 0) {
        throw new IllegalStateException(
            "could not parse " + directory + " (" + INSTALL_HINT + "):\n" + result.output());
      }
      return new Terraform(JSON.readTree(result.output()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every {@code locals} value of the module, by name. */
  Map<String, JsonNode> locals() {
    var locals = new LinkedHashMap<String, JsonNode>();
    for (JsonNode file : files) {
      for (JsonNode block : file.path("locals")) {
        block.properties().forEach(e -> locals.put(e.getKey(), e.getValue()));
      }
    }
    return locals;
  }

  JsonNode local(String name) {
    return Optional.ofNullable(locals().get(name))
        .orElseThrow(() -> new IllegalStateException("no local." + name));
  }

  /** The resource {@code type.name}. */
  JsonNode resource(String type, String name) {
    return block("resource", type, name);
  }

  /** The data source {@code data.type.name}. */
  JsonNode data(String type, String name) {
    return block("data", type, name);
  }

  /** Every resource of a type, by name. */
  Map<String, JsonNode> resources(String type) {
    var found = new LinkedHashMap<String, JsonNode>();
    for (JsonNode file : files) {
      for (JsonNode block : file.path("resource")) {
        block.path(type).properties().forEach(e -> found.put(e.getKey(), e.getValue()));
      }
    }
    return found;
  }

  /** The variable's {@code default}. */
  JsonNode variableDefault(String name) {
    JsonNode variable = block("variable", name, null);
    if (!variable.has("default")) {
      throw new IllegalStateException("variable " + name + " has no default");
    }
    return variable.get("default");
  }

  private JsonNode block(String kind, String type, String name) {
    for (JsonNode file : files) {
      for (JsonNode block : file.path(kind)) {
        JsonNode typed = block.path(type);
        if (name == null && !typed.isMissingNode()) {
          return typed;
        }
        if (name != null && typed.has(name)) {
          return typed.get(name);
        }
      }
    }
    throw new IllegalStateException(
        "no " + kind + " " + type + (name == null ? "" : "." + name) + " in the module");
  }
}
