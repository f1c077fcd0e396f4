"""Serves moto's AWS emulator (DynamoDB, SNS, SQS, ...) on one thread, on 127.0.0.1.

Usage: python3 moto_single_threaded.py
Prints "PORT <n>" once listening on a free loopback port, then serves until stdin closes or the
process is killed. One thread means each request, a TransactWriteItems included, runs to its end
before the next one starts: atomic, as DynamoDB makes it (moto's threaded server may interleave
the check and the write of two transactions).
"""
import sys
import threading
import os

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


def main() -> None:
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=False, processes=1)
    os.environ["MOTO_PORT"] = str(server.server_port)
    print("PORT %d" % server.server_port, flush=True)

    def watch_stdin() -> None:
        # the JVM holds our stdin; when it exits (even killed) we stop too
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
