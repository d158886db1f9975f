"""Tests that need a PostgreSQL server are collected only when DATABASE_URL points at one (as in CI's second pass),
and tests that need a Redis server only when one answers (REDIS_URL, or 127.0.0.1:6379): on a machine without
them there is no server whose connection could be cut, and a skipped test would look like a gap. Their
counterparts that need no server (test_database_gone.py, test_redis_gone.py) run everywhere."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit


def redis_url_for_tests() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


collect_ignore_glob = []
if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
    collect_ignore_glob.append("*_postgres.py")
if not _answers(redis_url_for_tests()):
    collect_ignore_glob.append("*_redis.py")
