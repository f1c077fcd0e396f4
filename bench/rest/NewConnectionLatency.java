import java.net.http.*; import java.net.*; import java.util.*;
/**
 * One client, one unguarded append of ~500 bytes at a time over java.net.http (as the peer
 * driver sends): the latency of the first request on a new connection (the one after an answer
 * with "Connection: close") against the requests on a kept connection.
 *   java bench/rest/NewConnectionLatency.java http://127.0.0.1:8080 20000
 * The first fifth of the requests is warm-up. Creates database "rc" (or uses it).
 */
public class NewConnectionLatency {
  public static void main(String[] a) throws Exception {
    String base = a[0]; int n = Integer.parseInt(a[1]);
    var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/databases")).header("Content-Type","application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"rc\"}")).build(), HttpResponse.BodyHandlers.ofString());
    var uri = URI.create(base + "/api/v1/databases/rc/transactions");
    String pad = "x".repeat(450);
    List<Long> after = new ArrayList<>(), normal = new ArrayList<>();
    boolean closed = false;
    for (int i = 0; i < n; i++) {
      String body = "{\"events\":[{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"bench\",\"subject\":\"s\",\"type\":\"T\",\"datacontenttype\":\"application/json\",\"data\":{\"pad\":\"" + pad + "\"}}]}";
      var req = HttpRequest.newBuilder(uri).header("Content-Type","application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
      long t = System.nanoTime();
      var res = http.send(req, HttpResponse.BodyHandlers.ofString());
      long d = System.nanoTime() - t;
      if (res.statusCode() != 201) throw new IllegalStateException(res.body());
      if (i > n / 5) (closed ? after : normal).add(d);
      closed = res.headers().firstValue("connection").map(v -> v.equalsIgnoreCase("close")).orElse(false);
    }
    print("on a kept connection", normal); print("first on a new connection", after);
  }
  static void print(String what, List<Long> l) {
    if (l.isEmpty()) { System.out.println(what + ": none"); return; }
    Collections.sort(l);
    System.out.printf(Locale.ROOT, "%-28s n=%6d p50 %.3f ms p90 %.3f ms p99 %.3f ms%n", what, l.size(), l.get(l.size()/2)/1e6, l.get((int)(l.size()*.9))/1e6, l.get((int)(l.size()*.99))/1e6);
  }
}
