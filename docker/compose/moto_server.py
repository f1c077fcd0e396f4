"""The moto AWS emulator (DynamoDB, S3, SNS, SQS) on ONE thread, for the local cluster.

One thread: each request, a TransactWriteItems included, runs to its end before the next one
starts, so conditional transactions are atomic as in DynamoDB; moto's own threaded server may
let two conflicting transactions both pass. Address from MOTO_HOST (default 0.0.0.0) and
MOTO_PORT (default 5000).
"""
import os

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


def main() -> None:
    host = os.environ.get("MOTO_HOST", "0.0.0.0")
    port = int(os.environ.get("MOTO_PORT", "5000"))
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(host, port, app, threaded=False, processes=1)
    print("moto listening on %s:%d (one thread)" % (host, server.server_port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
