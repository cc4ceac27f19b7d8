"""A real S3-compatible HTTP server (moto's, in a thread) on a free loopback port, for tests.

moto serves the S3 API over HTTP but checks no signature, no presigned URL's expiry and no
presigned POST's policy (size range, key, content type, expiry): tests of those read what the
store signs instead."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
ACCESS_KEY = "groupql-test-access-key"
SECRET_KEY = "groupql-test-secret-key"


class S3Server:
    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._admin: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create_bucket(self, name: str) -> None:
        self._admin.create_bucket(Bucket=name)


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    # Port 0: the OS picks a free port as the server binds it, so nothing can take it in between.
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # else a stderr line per request
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Server(endpoint_url=f"http://{host}:{port}")
    finally:
        server.stop()
