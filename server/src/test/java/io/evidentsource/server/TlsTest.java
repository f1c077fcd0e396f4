package io.evidentsource.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.evidentsource.client.EvidentSourceClient;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * REST and gRPC over TLS with a self-signed certificate made at test time (the JDK's keytool), as
 * docs/security.md#tls shows: the JVM's HTTP client and the JVM client trust that certificate and
 * call with an API key; grpcurl does the same; a client that does not trust it gets no answer.
 */
@ServerTest
@TestPropertySource(
    properties = {
      "spring.ssl.bundle.jks.server.keystore.location=file:" + TlsTest.KEYSTORE,
      "spring.ssl.bundle.jks.server.keystore.password=" + TlsTest.PASSWORD,
      "spring.ssl.bundle.jks.server.keystore.type=PKCS12",
      "server.ssl.bundle=server",
      "spring.grpc.server.ssl.bundle=server",
      "evidentsource.security.enabled=true",
      "evidentsource.security.api-keys[0].name=tls-admin",
      "evidentsource.security.api-keys[0].sha256=" + TlsTest.KEY_HASH,
      "evidentsource.security.api-keys[0].scopes=admin",
    })
class TlsTest {
  static final Path DIR = Path.of("target", "tls-test").toAbsolutePath();
  static final String KEYSTORE = "target/tls-test/server.p12";
  static final String PASSWORD = "test-only-password";
  // SHA-256 of "tls-test-key"
  static final String KEY_HASH = "170dd6e96be44dc3258cbb004d1cc160c5f5ebd0b7ca4aa751023e3df4404b62";
  static final String KEY = "tls-test-key";
  static final Path CERTIFICATE = DIR.resolve("server.crt");

  static {
    makeCertificate();
  }

  /** A key pair and self-signed certificate for localhost and 127.0.0.1, valid for two days. */
  static void makeCertificate() {
    try {
      Files.createDirectories(DIR);
      Files.deleteIfExists(DIR.resolve("server.p12"));
      Files.deleteIfExists(CERTIFICATE);
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      run(
          keytool,
          "-genkeypair",
          "-alias",
          "server",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          "CN=localhost",
          "-ext",
          "SAN=dns:localhost,ip:127.0.0.1",
          "-validity",
          "2",
          "-keystore",
          DIR.resolve("server.p12").toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          PASSWORD,
          "-keypass",
          PASSWORD);
      run(
          keytool,
          "-exportcert",
          "-rfc",
          "-alias",
          "server",
          "-keystore",
          DIR.resolve("server.p12").toString(),
          "-storepass",
          PASSWORD,
          "-file",
          CERTIFICATE.toString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("could not make the test certificate: " + e, e);
    }
  }

  static void run(String... command) throws IOException, InterruptedException {
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
  }

  @LocalServerPort int port;
  @Autowired GrpcPort grpcPort;

  static SSLContext trusting() throws Exception {
    var store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = new FileInputStream(CERTIFICATE.toFile())) {
      store.setCertificateEntry(
          "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    var context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  @Test
  void the_key_hashes_to_the_configured_hash() {
    assertThat(io.evidentsource.server.security.ApiKeysTest.sha256(KEY)).isEqualTo(KEY_HASH);
  }

  @Test
  void rest_answers_over_tls_to_a_client_that_trusts_the_certificate() throws Exception {
    var http = HttpClient.newBuilder().sslContext(trusting()).build();
    var uri = URI.create("https://localhost:" + port + "/api/v1/databases");
    var response =
        http.send(
            HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + KEY).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).startsWith("{\"databases\":");
    // the web UI's session cookie is Secure over TLS
    var signIn =
        http.send(
            HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/v1/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"api_key\":\"" + KEY + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
    assertThat(signIn.headers().firstValue("Set-Cookie").orElseThrow())
        .contains("Secure")
        .contains("HttpOnly")
        .contains("SameSite=Strict");
  }

  @Test
  void a_client_that_does_not_trust_the_certificate_gets_no_answer() {
    var http = HttpClient.newHttpClient();
    var uri = URI.create("https://localhost:" + port + "/api/v1/databases");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void the_jvm_client_calls_grpc_over_tls() throws Exception {
    var credentials = TlsChannelCredentials.newBuilder().trustManager(CERTIFICATE.toFile()).build();
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("localhost", grpcPort.port(), credentials).build();
    try (var client = EvidentSourceClient.builder().channel(channel).apiKey(KEY).build()) {
      client.createDatabase("tls-jvm");
      assertThat(client.listDatabases()).anyMatch(d -> d.name().equals("tls-jvm"));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void grpcurl_calls_over_tls_with_the_certificate_and_a_key() throws Exception {
    String address = "localhost:" + grpcPort.port();
    assertThat(grpcurl("-cacert", CERTIFICATE.toString(), address, "list"))
        .contains("evidentsource.v1.EvidentSource");
    assertThat(
            grpcurl(
                "-cacert",
                CERTIFICATE.toString(),
                "-H",
                "authorization: Bearer " + KEY,
                "-d",
                "{\"name\":\"tls-grpcurl\"}",
                address,
                "evidentsource.v1.EvidentSource/CreateDatabase"))
        .contains("\"name\": \"tls-grpcurl\"");
    // without the certificate grpcurl refuses the server
    var command = List.of(GrpcurlTest.grpcurl().toString(), address, "list");
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isNotZero();
  }

  static String grpcurl(String... args) throws Exception {
    var command = new ArrayList<String>(List.of(GrpcurlTest.grpcurl().toString()));
    command.addAll(List.of(args));
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("grpcurl finished").isTrue();
    assertThat(process.exitValue()).as("grpcurl %s:%n%s", command, out).isZero();
    return out;
  }
}
