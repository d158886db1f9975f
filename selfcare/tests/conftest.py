"""Tests that need a PostgreSQL server are collected only when DATABASE_URL points at one (as in CI): on plain
SQLite there is no server whose connection could be cut, and a skipped test would look like a gap. Their SQLite
counterpart (test_database_gone.py) runs everywhere."""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")) else ["*_postgres.py"]
