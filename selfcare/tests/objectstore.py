"""An S3-compatible object store for tests: moto's server, started as its own process on a free local port.

The portal talks to it through its production backend (django-storages' S3Storage, boto3) over HTTP, as it would
to the operator's store; nothing in the client is mocked.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3

from selfcare.tests.faults import closed_port

REGION = "eu-north-1"
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"  # moto accepts any key


@dataclass(frozen=True)
class ObjectStore:
    endpoint: str
    bucket: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def storage_settings(self) -> dict[str, Any]:
        """`STORAGES["documents"]` for this store, with the options settings.py gives the S3 backend."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.bucket,
                "endpoint_url": self.endpoint,
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "default_acl": None,
                "file_overwrite": True,
                "object_parameters": {"ServerSideEncryption": "AES256"},
            },
        }

    def environment(self) -> dict[str, str]:
        """The same store as the environment of a portal process (settings.py "Private documents")."""
        return {
            "DOCUMENTS_STORAGE": "s3",
            "DOCUMENTS_S3_BUCKET": self.bucket,
            "DOCUMENTS_S3_ENDPOINT_URL": self.endpoint,
            "DOCUMENTS_S3_REGION": REGION,
            "DOCUMENTS_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "DOCUMENTS_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def new_bucket(self) -> ObjectStore:
        """The same server with another, empty bucket: a test that counts objects starts from none."""
        other = ObjectStore(endpoint=self.endpoint, bucket=f"selfcare-{uuid.uuid4().hex[:12]}")
        other.client().create_bucket(Bucket=other.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        return other

    def object_keys(self) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in listing.get("Contents", [])]


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the S3-compatible test server (moto) exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the S3-compatible test server (moto) did not start within 30 s")


@contextlib.contextmanager
def object_store(bucket: str = "selfcare-documents") -> Iterator[ObjectStore]:
    """A running S3-compatible server with one empty bucket; stopped when the block ends."""
    port = closed_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and moto's module
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process)
        store = ObjectStore(endpoint=f"http://127.0.0.1:{port}", bucket=bucket)
        store.client().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield store
    finally:
        process.terminate()
        process.wait(timeout=10)
