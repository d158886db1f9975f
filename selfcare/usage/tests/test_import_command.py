"""`selfcare usage import`: the documented example file, replays, bad rows and the feed-key commands."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from selfcare.customers.tests import factories
from selfcare.usage.models import FeedKey, UsageEvent
from selfcare.usage.services import remaining_summary

pytestmark = pytest.mark.django_db
DOC = Path(settings.BASE_DIR) / "docs" / "usage-format.md"


def _example(tmp_path: Path) -> Path:
    block = re.search(r"```csv\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None, "docs/usage-format.md has a csv example"
    path = tmp_path / "example.csv"
    path.write_text(block.group(1), encoding="utf-8")
    return path


def _import(*args: str) -> str:
    out = io.StringIO()
    try:
        call_command("usage", "import", "--no-progress", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        out.write(f"\nERROR {error}")
    return out.getvalue()


def test_the_documented_example_imports_as_the_document_says(tmp_path: Path) -> None:
    factories.connection(msisdn="+37125500001")
    path = _example(tmp_path)
    output = _import(str(path))
    assert "6 rows, 5 recorded, 0 already recorded, 1 rejected" in output
    assert "line 7: usage_kind" in output
    assert "ERROR 1 rows were rejected" in output
    assert UsageEvent.objects.count() == 5
    again = _import(str(path))
    assert "6 rows, 0 recorded, 5 already recorded, 1 rejected" in again
    assert UsageEvent.objects.count() == 5


def test_small_batches_give_the_same_result_as_one(tmp_path: Path) -> None:
    connection = factories.connection(msisdn="+37125500001")
    _import("--batch-rows", "2", str(_example(tmp_path)))
    assert UsageEvent.objects.count() == 5
    assert remaining_summary(connection).data.used >= 0


def test_a_file_without_the_header_is_refused_whole(tmp_path: Path) -> None:
    factories.connection(msisdn="+37125500001")
    path = tmp_path / "no-header.csv"
    path.write_text("pgw:1,+37125500001,data,domestic,2026-11-03T08:15:00+02:00,1\n", encoding="utf-8")
    assert "the first line must be the header" in _import(str(path))
    assert UsageEvent.objects.count() == 0


def test_a_missing_file_is_an_error() -> None:
    assert "no such file" in _import("/nonexistent/usage.csv")


def test_a_feed_key_is_printed_once_and_only_its_hash_is_kept() -> None:
    out = io.StringIO()
    call_command("usage", "feed-key", "create", "mediation-1", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    record = FeedKey.objects.get(name="mediation-1")
    assert key.startswith("uf_")
    assert key not in (record.key_hash, record.prefix)
    assert key.startswith(record.prefix)
    call_command("usage", "feed-key", "revoke", "mediation-1", stdout=io.StringIO())
    record.refresh_from_db()
    assert record.revoked_at is not None
