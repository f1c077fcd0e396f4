package io.evidentsource.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docker/compose.yaml} run without Docker: each service's own command on this machine, on
 * free loopback ports instead of the compose network's names and fixed ports. moto (the compose
 * file's single-threaded launcher) and its init script; two servers from the image with the compose
 * file's environment; HAProxy with the compose file's {@code haproxy.cfg}, its addresses rewritten.
 * Then REST and a Node gRPC client go through the load balancer.
 */
class LocalClusterTest {
  static final Compose compose = Compose.read();
  static final String DEV_KEY = "local-dev-key"; // README: the key of docker/compose/api-keys

  static final List<Process> processes = new ArrayList<>();
  static final List<ServerProcess> servers = new ArrayList<>();
  static int lbRest;
  static int lbGrpc;

  @BeforeAll
  static void start() throws IOException {
    // moto: the compose file's entrypoint script, on a free loopback port
    int motoPort = ServerProcess.freePort();
    Path python = Tools.locate("python3", "python3 with moto[server] (.ci/run installs it)");
    assertThat(compose.list("moto", "entrypoint"))
        .containsExactly("python", "/opt/evidentsource/moto_server.py");
    processes.add(
        spawn(
            "moto",
            Map.of("MOTO_HOST", "127.0.0.1", "MOTO_PORT", String.valueOf(motoPort)),
            python.toString(),
            Repo.path("docker/compose/moto_server.py").toString()));
    String motoEndpoint = "http://127.0.0.1:" + motoPort;
    awaitPort(motoPort);

    var init = new HashMap<>(compose.environment("moto-init"));
    assertThat(init).containsEntry("MOTO_ENDPOINT", "http://moto:5000");
    init.put("MOTO_ENDPOINT", motoEndpoint);
    var initRun =
        Tools.run(
            Repo.root(),
            init,
            Duration.ofMinutes(2),
            python,
            Repo.path("docker/compose/moto_init.py"));
    assertThat(initRun.exitCode()).as(initRun.output()).isZero();

    // the two servers, as compose starts them (the keys file is the one compose mounts)
    var serverPorts = new LinkedHashMap<String, int[]>();
    for (String name : List.of("server-1", "server-2")) {
      var env = new LinkedHashMap<>(compose.environment(name));
      env.put("EVIDENTSOURCE_DYNAMODB_ENDPOINT", motoEndpoint);
      env.put(
          "EVIDENTSOURCE_SECURITY_API_KEYS_FILE", Repo.path("docker/compose/api-keys").toString());
      int rest = ServerProcess.freePort();
      int grpc = ServerProcess.freePort();
      env.put("SERVER_PORT", String.valueOf(rest));
      env.put("SPRING_GRPC_SERVER_PORT", String.valueOf(grpc));
      servers.add(ContainerImage.extracted().start("cluster-" + name, env));
      serverPorts.put(name, new int[] {rest, grpc});
    }
    for (ServerProcess server : servers) {
      server.awaitReady();
    }

    // the load balancer
    lbRest = ServerProcess.freePort();
    lbGrpc = ServerProcess.freePort();
    Path config = Repo.work("haproxy").resolve("haproxy.cfg");
    Files.writeString(
        config, rewrite(Files.readString(Repo.path("docker/compose/haproxy.cfg")), serverPorts));
    Path haproxy =
        Tools.locate(
            "haproxy", "apt-get install haproxy (.ci/run does it)", Path.of("/usr/sbin/haproxy"));
    // for the test only: HAProxy's statistics, to see both servers up in both backends
    int statsPort = ServerProcess.freePort();
    Path stats = Repo.work("haproxy").resolve("stats.cfg");
    Files.writeString(
        stats,
        "listen stats\n  bind 127.0.0.1:" + statsPort + "\n  stats enable\n  stats uri /stats\n");
    var check =
        Tools.run(
            Repo.root(), Map.of(), Duration.ofMinutes(1), haproxy, "-c", "-f", config, "-f", stats);
    assertThat(check.exitCode()).as(check.output()).isZero();
    processes.add(
        spawn(
            "haproxy",
            Map.of(),
            haproxy.toString(),
            "-db",
            "-f",
            config.toString(),
            "-f",
            stats.toString()));
    awaitPort(lbRest);
    awaitBothServersUp(statsPort);
  }

  /** Until HAProxy's health checks have put both servers up in the REST and gRPC backends. */
  static void awaitBothServersUp(int statsPort) {
    long deadline = System.nanoTime() + ServerProcess.START_LIMIT.toNanos();
    String csv = "";
    while (System.nanoTime() < deadline) {
      csv =
          ServerProcess.send(
                  URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"), "GET", null, null)
              .body();
      long up =
          csv.lines()
              .map(l -> l.split(",", -1))
              .filter(f -> f.length > 17 && f[1].startsWith("server-") && f[17].equals("UP"))
              .count();
      if (up == 4) {
        return;
      }
      ServerProcess.sleep(Duration.ofMillis(500));
    }
    throw new AssertionError("the load balancer did not see both servers up:\n" + csv);
  }

  @AfterAll
  static void stop() {
    servers.forEach(ServerProcess::close);
    for (Process p : processes) {
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  @Test
  void rest_through_the_load_balancer_reaches_both_servers_on_one_shared_store() {
    var created = viaLb("POST", "/api/v1/databases", "{\"name\":\"cluster\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    var tx =
        viaLb(
            "POST",
            "/api/v1/databases/cluster/transactions",
            """
            {"events":[{"specversion":"1.0","id":"c-1","source":"https://shop.example/orders",
                        "type":"OrderPlaced","subject":"order-1"}]}""");
    assertThat(tx.statusCode()).as(tx.body()).isEqualTo(201);

    // the load balancer health-checks both servers before it sends them requests
    var servedBy = new TreeSet<String>();
    long deadline = System.nanoTime() + ServerProcess.START_LIMIT.toNanos();
    while (servedBy.size() < 2 && System.nanoTime() < deadline) {
      var read = viaLb("GET", "/api/v1/databases/cluster", null);
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      assertThat(read.body()).contains("\"revision\":1");
      read.headers().firstValue("X-Served-By").ifPresent(servedBy::add);
      if (servedBy.size() < 2) {
        ServerProcess.sleep(Duration.ofMillis(300));
      }
    }
    assertThat(servedBy).containsExactly("server-1", "server-2");
  }

  @Test
  void a_node_grpc_client_works_through_the_load_balancer() {
    NodeClient.runScenario("127.0.0.1:" + lbGrpc, DEV_KEY);
  }

  @Test
  void the_dev_key_in_the_compose_keys_file_is_the_documented_one() throws IOException {
    assertThat(Files.readString(Repo.path("docker/compose/api-keys")))
        .isEqualTo("local-admin " + ApiKeys.sha256(DEV_KEY) + " admin\n");
  }

  private static java.net.http.HttpResponse<String> viaLb(String method, String path, String body) {
    return ServerProcess.send(
        URI.create("http://127.0.0.1:" + lbRest + path), method, body, DEV_KEY);
  }

  /**
   * The compose file's haproxy.cfg with this machine's addresses: {@code bind :PORT} → a free
   * loopback port, {@code server-N:PORT} (and a server line's {@code check port PORT}) → that
   * server's free port. Every bind and server line must be rewritten.
   */
  static String rewrite(String config, Map<String, int[]> serverPorts) {
    var lines = new ArrayList<String>();
    Pattern bind = Pattern.compile("^(\\s*bind\\s+):(\\d+)(.*)$");
    Pattern server = Pattern.compile("^(\\s*server\\s+(\\S+)\\s+)(\\S+):(\\d+)(.*)$");
    for (String line : config.split("\n", -1)) {
      Matcher b = bind.matcher(line);
      Matcher s = server.matcher(line);
      if (b.matches()) {
        int port =
            switch (b.group(2)) {
              case "8080" -> lbRest;
              case "9090" -> lbGrpc;
              default -> throw new IllegalStateException("unexpected bind: " + line);
            };
        lines.add(b.group(1) + "127.0.0.1:" + port + b.group(3));
      } else if (s.matches()) {
        int[] ports = serverPorts.get(s.group(3));
        assertThat(ports).as("a server of the cluster: " + line).isNotNull();
        String rest = s.group(5).replace("port 8080", "port " + ports[0]);
        int port = s.group(4).equals("8080") ? ports[0] : ports[1];
        assertThat(s.group(4)).isIn("8080", "9090");
        lines.add(s.group(1) + "127.0.0.1:" + port + rest);
      } else {
        assertThat(line.strip()).doesNotStartWith("bind ").doesNotStartWith("server ");
        lines.add(line);
      }
    }
    return String.join("\n", lines);
  }

  private static Process spawn(String name, Map<String, String> env, String... command)
      throws IOException {
    Path log = Repo.work("logs").resolve(name + ".log");
    var builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    return p;
  }

  private static void awaitPort(int port) {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (System.nanoTime() < deadline) {
      try (var socket = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port)) {
        if (socket.isConnected()) {
          return;
        }
      } catch (IOException e) {
        ServerProcess.sleep(Duration.ofMillis(200));
      }
    }
    throw new AssertionError("nothing listens on port " + port);
  }
}
