"""Importing a file again: on PostgreSQL the rows whose id is recorded are counted as already recorded without being
parsed, and the counts are those of a file parsed whole (SQLite parses every row, with the same counts)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from django.db import connection as db
from django.db.models import Sum
from django.utils import timezone

from selfcare.customers.models import ConnectionStatus
from selfcare.customers.tests import factories
from selfcare.errors import ErrorCode
from selfcare.usage import csvfile
from selfcare.usage.csvfile import import_file
from selfcare.usage.ingest import EventRow, IngestResult, Rejected, row_parser
from selfcare.usage.models import DailyUsage, UsageEvent

pytestmark = pytest.mark.django_db

NUMBER = "+37125500001"
HEADER = "event_id,msisdn,type,zone,started_at,quantity"
_postgresql_only = pytest.mark.skipif(
    db.vendor != "postgresql", reason="on SQLite every row of a file is parsed: the counts are checked above"
)


def _line(key: str, *, number: str = NUMBER, kind: str = "data", quantity: int = 1) -> str:
    started = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    return f"{key},{number},{kind},domestic,{started},{quantity}"


def _file(tmp_path: Path, lines: list[str], name: str = "usage.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _counts(result: IngestResult) -> tuple[int, int, int, list[tuple[int, ErrorCode]]]:
    return result.received, result.recorded, result.duplicates, [(r.line, r.code) for r in result.rejected]


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the rows parsed during an import (in either of its threads)."""
    seen: list[str] = []

    def counting(now: datetime.datetime) -> Callable[[Sequence[str], int], EventRow | Rejected]:
        parse = row_parser(now)

        def run(values: Sequence[str], line: int) -> EventRow | Rejected:
            seen.append(values[0])
            return parse(values, line)

        return run

    monkeypatch.setattr(csvfile, "row_parser", counting)
    return seen


def test_a_replayed_file_with_new_rows_appended_records_exactly_those(tmp_path: Path, parsed: list[str]) -> None:
    factories.connection(msisdn=NUMBER)
    old = [_line(f"old:{n}", quantity=10) for n in range(10)]
    assert import_file(_file(tmp_path, old), batch_rows=4).recorded == 10
    parsed.clear()
    new = [_line(f"new:{n}", quantity=1) for n in range(3)]
    result = import_file(_file(tmp_path, [*old, *new]), batch_rows=4)
    assert _counts(result) == (13, 3, 10, [])
    assert UsageEvent.objects.count() == 13
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == 10 * 10 + 3
    if db.vendor == "postgresql":
        assert sorted(parsed) == ["new:0", "new:1", "new:2"]


def test_a_rerun_of_an_interrupted_import_records_the_rest_and_parses_only_the_rows_not_recorded(
    tmp_path: Path, parsed: list[str]
) -> None:
    factories.connection(msisdn=NUMBER)
    lines = [_line(f"pgw:{n}", quantity=n + 1) for n in range(12)]
    assert import_file(_file(tmp_path, lines[:4], "first.csv"), batch_rows=4).recorded == 4
    parsed.clear()
    result = import_file(_file(tmp_path, lines), batch_rows=4)
    assert _counts(result) == (12, 8, 4, [])
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == sum(range(1, 13))
    if db.vendor == "postgresql":
        # The first batch was recorded; the second was read before that was known and parsed once it was found
        # new; the third was parsed as it was read.
        assert sorted(parsed) == sorted(f"pgw:{n}" for n in range(4, 12))


def test_a_replay_rejects_what_the_first_import_rejected_and_rows_of_numbers_no_longer_live(tmp_path: Path) -> None:
    factories.connection(msisdn=NUMBER)
    other = factories.connection()
    lines = [
        _line("a"),  # line 2
        _line("b", number=other.msisdn),
        _line("c", kind="fax"),
        _line("a"),  # an id repeated within the file
        "a,+37125500001,data,domestic",  # line 6: recorded id, but not as wide as the header
        _line(""),  # an empty id
        _line("x" * 201),  # an id too long
        _line("nul\x00"),  # NUL in the id
        _line("d", number="not-a-number"),
        _line(" a "),  # the recorded id with spaces around it, as parse_row strips them
        _line("e"),  # line 12
    ]
    path = _file(tmp_path, lines)
    bad = [
        (4, ErrorCode.USAGE_KIND),
        (6, ErrorCode.USAGE_ROW_SHAPE),
        (7, ErrorCode.USAGE_SOURCE_KEY),
        (8, ErrorCode.USAGE_SOURCE_KEY),
        (9, ErrorCode.USAGE_SOURCE_KEY_CHARACTERS),
        (10, ErrorCode.USAGE_MSISDN),
    ]
    assert _counts(import_file(path, batch_rows=20)) == (11, 3, 2, bad)
    other.status, other.terminated_on = ConnectionStatus.TERMINATED, timezone.localdate()
    other.save(update_fields=["status", "terminated_on"])
    again = import_file(path, batch_rows=20)
    assert _counts(again) == (11, 0, 4, sorted([*bad, (3, ErrorCode.USAGE_UNKNOWN_NUMBER)]))
    assert UsageEvent.objects.count() == 3


def test_a_first_batch_whose_first_ids_are_new_but_a_later_one_recorded_records_the_rest_once(
    tmp_path: Path, parsed: list[str]
) -> None:
    # Only the first rows' ids are looked up before the batch is parsed as new: the recorded id further on is
    # found when the batch is written.
    factories.connection(msisdn=NUMBER)
    assert import_file(_file(tmp_path, [_line("seen", quantity=7)], "first.csv")).recorded == 1
    lines = [_line(f"new:{n}") for n in range(20)]
    result = import_file(_file(tmp_path, [*lines, _line("seen", quantity=7)]), batch_rows=100)
    assert _counts(result) == (21, 20, 1, [])
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == 7 + 20
    assert len(parsed) == 1 + 21


@_postgresql_only
def test_a_recorded_id_whose_row_is_now_malformed_counts_as_already_recorded(tmp_path: Path) -> None:
    # The event is recorded; the row sent again cannot change it, so its other fields are not checked (parsing
    # them is what a replay would spend its time on). Its shape and its number still are (the test above).
    factories.connection(msisdn=NUMBER)
    assert import_file(_file(tmp_path, [_line("k", quantity=5)], "first.csv")).recorded == 1
    result = import_file(_file(tmp_path, [_line("k", kind="fax"), _line("k", quantity=-1)]))
    assert _counts(result) == (2, 0, 2, [])
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == 5


@_postgresql_only
def test_a_file_replayed_whole_parses_none_of_its_rows(tmp_path: Path, parsed: list[str]) -> None:
    factories.connection(msisdn=NUMBER)
    path = _file(tmp_path, [_line(f"pgw:{n}") for n in range(9)])
    assert import_file(path, batch_rows=4).recorded == 9
    parsed.clear()
    assert _counts(import_file(path, batch_rows=4)) == (9, 0, 9, [])
    assert parsed == []
