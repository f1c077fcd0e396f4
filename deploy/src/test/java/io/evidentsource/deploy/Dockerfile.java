package io.evidentsource.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Dockerfile read into its stages and instructions: enough to check it and to do outside a
 * container what its stages do (build args substituted in {@code FROM}; {@code ENV} in the {@code
 * key=value} form; exec-form {@code ENTRYPOINT} and {@code HEALTHCHECK CMD}).
 *
 * @param args the global {@code ARG} defaults
 * @param stages the stages in order; the last one is the image
 */
record Dockerfile(Map<String, String> args, List<Dockerfile.Stage> stages) {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern FROM =
      Pattern.compile("(?<image>\\S+)(?:\\s+AS\\s+(?<name>\\S+))?", Pattern.CASE_INSENSITIVE);
  private static final Pattern ENV_PAIR =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

  /** One instruction: its keyword (upper case), its arguments with continuations joined. */
  record Instruction(String keyword, String arguments, int line) {}

  /** One stage: {@code FROM image [AS name]} and what follows it. */
  record Stage(String name, String image, List<Instruction> instructions) {
    List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The stage's {@code ENV} variables in order. */
    Map<String, String> env() {
      var env = new LinkedHashMap<String, String>();
      for (Instruction i : all("ENV")) {
        Matcher m = ENV_PAIR.matcher(i.arguments());
        int end = 0;
        while (m.find()) {
          if (!i.arguments().substring(end, m.start()).isBlank()) {
            throw new IllegalArgumentException("line " + i.line() + ": ENV must be key=value");
          }
          String value = m.group(2);
          if (value.startsWith("\"")) {
            value = value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
          }
          env.put(m.group(1), value);
          end = m.end();
        }
        if (!i.arguments().substring(end).isBlank()) {
          throw new IllegalArgumentException("line " + i.line() + ": ENV must be key=value");
        }
      }
      return env;
    }

    /** The single instruction of this kind, e.g. {@code ENTRYPOINT}. */
    Instruction only(String keyword) {
      var found = all(keyword);
      if (found.size() != 1) {
        throw new IllegalStateException(
            "stage " + name + " has " + found.size() + " " + keyword + " instructions, not one");
      }
      return found.get(0);
    }
  }

  /** Reads and splits a Dockerfile. */
  static Dockerfile parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var instructions = new ArrayList<Instruction>();
    var current = new StringBuilder();
    int start = 0;
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue; // comments (also inside a continued instruction) and blank lines
      }
      if (current.isEmpty()) {
        start = n + 1;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String text = current.toString().strip();
      current.setLength(0);
      int space = text.indexOf(' ');
      instructions.add(
          new Instruction(
              text.substring(0, space).toUpperCase(Locale.ROOT),
              text.substring(space + 1).strip(),
              start));
    }
    var args = new LinkedHashMap<String, String>();
    var stages = new ArrayList<Stage>();
    Stage stage = null;
    for (Instruction i : instructions) {
      if (i.keyword().equals("FROM")) {
        Matcher m = FROM.matcher(i.arguments());
        if (!m.matches()) {
          throw new IllegalArgumentException("line " + i.line() + ": FROM " + i.arguments());
        }
        String image = substitute(m.group("image"), args);
        String name = m.group("name") != null ? m.group("name") : "stage-" + stages.size();
        stage = new Stage(name, image, new ArrayList<>());
        stages.add(stage);
      } else if (stage == null) {
        if (!i.keyword().equals("ARG")) {
          throw new IllegalArgumentException("line " + i.line() + ": " + i.keyword());
        }
        String[] kv = i.arguments().split("=", 2);
        args.put(kv[0], kv.length > 1 ? kv[1] : "");
      } else {
        stage.instructions().add(i);
      }
    }
    return new Dockerfile(args, stages);
  }

  /** The stage named so. */
  Stage stage(String name) {
    return stages.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no stage " + name));
  }

  /** The last stage: the image. */
  Stage image() {
    return stages.get(stages.size() - 1);
  }

  /** The image's exec-form {@code ENTRYPOINT}. */
  List<String> entrypoint() {
    return execForm(image().only("ENTRYPOINT").arguments());
  }

  /** The exec-form command of the image's {@code HEALTHCHECK ... CMD [...]}. */
  List<String> healthcheckCommand() {
    String args = image().only("HEALTHCHECK").arguments();
    int cmd = args.indexOf("CMD ");
    if (cmd < 0) {
      throw new IllegalStateException("HEALTHCHECK without CMD: " + args);
    }
    return execForm(args.substring(cmd + 4));
  }

  /** A JSON array (exec form) as a list. */
  static List<String> execForm(String json) {
    return List.of(JSON.readValue(json.strip(), String[].class));
  }

  private static String substitute(String text, Map<String, String> args) {
    String result = text;
    for (var e : args.entrySet()) {
      result = result.replace("${" + e.getKey() + "}", e.getValue());
    }
    return result;
  }
}
