#!/usr/bin/env python3
"""Fairness under abuse: a bystander client's latency while others flood or read slowly.

Starts the server jar (profile memory) on a free port unless BASE is set, then measures one
bystander: a single client that reads a page of 10 events from a database of its own, one request
after the other, for DURATION seconds, in three scenarios:

  quiet  - nothing else runs;
  flood  - wrk floods POST .../transactions (batches of 25) on another database with CONNECTIONS
           connections (bench/rest/transact.lua);
  slowsse - SSE_TAILS live tails on that other database read 512 bytes per tail per second (slow
           consumers) while a writer appends 25-event transactions to it without pause.

It prints the bystander's request count, p50, p99 and max per scenario, the ratio of each p99 to
the quiet one, and the machine's load average before and after. Standard library only; wrk from
the Debian package. The abusers run in other processes so that they do not share the bystander's
interpreter lock.

  bench/fairness/fairness.py                      # 20 s per scenario, 64 flood connections, 300 tails
  DURATION=60 SSE_TAILS=500 bench/fairness/fairness.py
  SERVER_ARGS="--evidentsource.limits.max-requests-per-database=100000" bench/fairness/fairness.py
                                                  # extra server arguments (here: no admission bound)
"""

import http.client
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DURATION = float(os.environ.get("DURATION", "20"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "64"))
SSE_TAILS = int(os.environ.get("SSE_TAILS", "300"))
# 8 GB: a 30 s flood stores ~2 million events; at 2 GB they fill the memory budget (half the
# heap) and the next scenario's writer is refused with 507 storage_full
HEAP = os.environ.get("HEAP", "-Xmx8g")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(base, path, body):
    req = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def event(subject):
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "https://bench.example/fairness",
        "type": "Happened",
        "subject": subject,
        "data": {"pad": "x" * 800},
    }


def bystander(host, port, db, seconds):
    """Sequential page reads on one keep-alive connection; latencies in milliseconds."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.perf_counter()
        conn.request("GET", "/api/v1/databases/%s/events?limit=10" % db)
        r = conn.getresponse()
        r.read()
        out.append((time.perf_counter() - t) * 1000)
        if r.status != 200:
            raise SystemExit("bystander got %d" % r.status)
    conn.close()
    return out


def slow_tails(host, port, db, tails, seconds):
    """Opens the tails, then reads 512 bytes from each per second (a slow consumer)."""
    socks = []
    for _ in range(tails):
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(
            (
                "GET /api/v1/databases/%s/events/live HTTP/1.1\r\nHost: %s\r\n"
                "Accept: text/event-stream\r\n\r\n" % (db, host)
            ).encode()
        )
        s.setblocking(False)
        socks.append(s)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        for s in socks:
            try:
                s.recv(512)
            except (BlockingIOError, OSError):
                pass
        time.sleep(max(0.0, 1.0 - (time.monotonic() - start)))
    for s in socks:
        s.close()


def writer(base, db, seconds):
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        post(base, "/api/v1/databases/%s/transactions" % db, {"events": [event("s-%d" % (n % 100)) for _ in range(25)]})
        n += 1


def summary(name, lat):
    lat = sorted(lat)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    return {"scenario": name, "requests": len(lat), "p50": p(0.50), "p99": p(0.99), "max": lat[-1]}


def main():
    base = os.environ.get("BASE")
    server = None
    if not base:
        jar = os.path.join(ROOT, "server/target/evidentsource-server.jar")
        if not os.path.exists(jar):
            raise SystemExit("build the jar first: ./mvnw -q -B -DskipTests package -pl server -am")
        port = free_port()
        log = open(os.path.join(ROOT, "bench/fairness/server.log"), "w")
        server = subprocess.Popen(
            ["java", HEAP, "-XX:+ExitOnOutOfMemoryError", "-jar", jar, "--server.port=%d" % port,
             "--spring.grpc.server.port=0", "--spring.profiles.active=memory",
             "--logging.level.root=WARN"] + os.environ.get("SERVER_ARGS", "").split(),
            stdout=log, stderr=subprocess.STDOUT)
        base = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + 300
        while True:
            try:
                urllib.request.urlopen(base + "/actuator/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    raise SystemExit("the server did not start; see bench/fairness/server.log")
                time.sleep(1)
    host, port = base.split("//")[1].split(":")
    port = int(port)
    try:
        stamp = str(int(time.time()))
        quiet_db, busy_db = "bystander-" + stamp, "abused-" + stamp
        for db in (quiet_db, busy_db):
            post(base, "/api/v1/databases", {"name": db})
        for i in range(4):
            post(base, "/api/v1/databases/%s/transactions" % quiet_db, {"events": [event("b") for _ in range(25)]})
        bystander(host, port, quiet_db, 5)  # warm-up
        load_before = open("/proc/loadavg").read().split()[:3]
        results = [summary("quiet", bystander(host, port, quiet_db, DURATION))]

        wrk = shutil.which("wrk")
        if wrk:
            env = dict(os.environ, DB=busy_db, BATCH="25", RUN="fair" + stamp)
            flood = subprocess.Popen(
                [wrk, "-t2", "-c%d" % CONNECTIONS, "-d%ds" % int(DURATION + 4), "-s",
                 os.path.join(ROOT, "bench/rest/transact.lua"), base],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            time.sleep(2)
            results.append(summary("flood (%d connections)" % CONNECTIONS, bystander(host, port, quiet_db, DURATION)))
            flood_out = flood.communicate()[0]
            rate = [l for l in flood_out.splitlines() if "Requests/sec" in l]
            results[-1]["abuse"] = rate[0].strip() if rate else "?"
            refused = [l for l in flood_out.splitlines() if "Non-2xx" in l]
            results[-1]["refused"] = refused[0].strip() if refused else "none"
        else:
            print("wrk is missing (apt-get install wrk): flood scenario skipped", file=sys.stderr)

        tails = multiprocessing.Process(target=slow_tails, args=(host, port, busy_db, SSE_TAILS, DURATION + 8))
        feed = multiprocessing.Process(target=writer, args=(base, busy_db, DURATION + 8))
        tails.start()
        time.sleep(4)
        feed.start()
        time.sleep(2)
        results.append(summary("%d slow SSE tails + writer" % SSE_TAILS, bystander(host, port, quiet_db, DURATION)))
        tails.join()
        feed.join()
        load_after = open("/proc/loadavg").read().split()[:3]

        quiet = results[0]["p99"]
        print("| scenario | bystander requests | p50 (ms) | p99 (ms) | max (ms) | p99 / quiet p99 |")
        print("|---|---:|---:|---:|---:|---:|")
        for r in results:
            print("| %s | %d | %.1f | %.1f | %.1f | %.1f |" % (
                r["scenario"], r["requests"], r["p50"], r["p99"], r["max"], r["p99"] / quiet))
        for r in results:
            if "abuse" in r:
                print("flood:", r["abuse"])
                print("flood answers other than 2xx:", r.get("refused", "?"))
        print("load average (1/5/15 min) before: %s, after: %s; cpus: %d" % (
            " ".join(load_before), " ".join(load_after), os.cpu_count()))
    finally:
        if server:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
