"""`import_file` parses the next batch in a thread while the current one is ingested: batches stay whole, in the
file's order, one transaction each, and whatever stops the parser or the caller reaches the caller, with every
batch before it kept and nothing of the batch it stopped in."""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from django.db import connection as db
from django.db.models import F, Sum
from django.utils import timezone

from selfcare.customers.tests import factories
from selfcare.spend.alerts import raise_alerts
from selfcare.usage import csvfile
from selfcare.usage import ingest as ingest_module
from selfcare.usage.csvfile import FormatError, import_file
from selfcare.usage.cycles import local_day
from selfcare.usage.models import Bucket, DailyUsage, UsageEvent

pytestmark = pytest.mark.django_db

NUMBER = "+37125500001"
HEADER = "event_id,msisdn,type,zone,started_at,quantity"


def _started() -> str:
    return (timezone.now() - datetime.timedelta(hours=1)).isoformat()


def _lines(count: int) -> list[str]:
    started = _started()
    return [f"pgw:{n},{NUMBER},data,domestic,{started},{n + 1}" for n in range(count)]


def _file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "usage.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _counted() -> int:
    total = Bucket.objects.filter(kind="data").aggregate(total=Sum(F("used") + F("out_of_bucket")))["total"]
    return int(total or 0)


def _parsers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("usage-parser")]


def _failing_at_call(number: int, function: Callable[..., Any]) -> Callable[..., Any]:
    calls = [0]

    def run(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == number:
            raise RuntimeError("the batch failed at its last step")
        return function(*args, **kwargs)

    return run


def _watched(monkeypatch: pytest.MonkeyPatch, method: str, count: str) -> list[int]:
    """Each call of a batch's `Recording.<method>`, as the batch's result's `count` just before it."""
    calls: list[int] = []
    original = getattr(ingest_module.Recording, method)

    def watched(self: ingest_module.Recording, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(self.result, count))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ingest_module.Recording, method, watched)
    return calls


def test_a_file_of_many_batches_records_every_event_once_and_counts_it_once(tmp_path: Path) -> None:
    factories.connection(msisdn=NUMBER)
    result = import_file(_file(tmp_path, _lines(7)), batch_rows=2)
    assert (result.received, result.recorded, result.duplicates, result.rejected) == (7, 7, 0, [])
    assert UsageEvent.objects.count() == 7
    assert _counted() == sum(range(1, 8))
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == sum(range(1, 8))
    assert not _parsers()


def test_an_error_in_a_later_batch_keeps_the_earlier_batches_and_nothing_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories.connection(msisdn=NUMBER)
    # The second batch fails at its last step, after its events and counters were written in its transaction.
    monkeypatch.setattr(ingest_module, "raise_alerts", _failing_at_call(2, raise_alerts))
    with pytest.raises(RuntimeError, match="the batch failed"):
        import_file(_file(tmp_path, _lines(6)), batch_rows=2)
    assert sorted(UsageEvent.objects.values_list("source_key", flat=True)) == ["pgw:0", "pgw:1"]
    assert _counted() == 1 + 2
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == 1 + 2
    assert not _parsers()  # the parser, a batch ahead, stopped with the caller


def test_a_file_the_parser_cannot_read_further_stops_the_import_after_the_batches_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories.connection(msisdn=NUMBER)
    path = tmp_path / "usage.csv"
    text = "\n".join([HEADER, *_lines(400)]) + "\n"
    # Not UTF-8 at the end, 30 kB in: the parser thread fails when it decodes that part of the file, after the
    # whole batches it read before. The file is decoded a chunk at a time (csvfile.TEXT_CHUNK, a megabyte, far less
    # than a batch of the default size): here 8 kB, so that this small file has chunks before the one that fails.
    monkeypatch.setattr(csvfile, "TEXT_CHUNK", 8192)
    path.write_bytes(text.encode() + b"pgw:x,\xff\xfe,data\n")
    with pytest.raises(UnicodeDecodeError):
        import_file(path, batch_rows=100)
    recorded = UsageEvent.objects.count()
    assert recorded >= 100
    assert recorded % 100 == 0
    assert _counted() == sum(range(1, recorded + 1))
    assert not _parsers()


def test_a_file_without_the_header_reaches_the_caller_as_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text("\n".join(_lines(3)) + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match="the first line must be the header"):
        import_file(path, batch_rows=2)
    assert UsageEvent.objects.count() == 0
    assert not _parsers()


def test_progress_is_told_in_the_callers_thread_in_order_up_to_the_whole_file(tmp_path: Path) -> None:
    factories.connection(msisdn=NUMBER)
    path = _file(tmp_path, _lines(5))
    told: list[tuple[int, str]] = []
    import_file(path, batch_rows=2, progress=lambda size: told.append((size, threading.current_thread().name)))
    sizes = [size for size, _thread in told]
    assert sizes == sorted(sizes)
    assert sizes[-1] == path.stat().st_size
    assert {thread for _size, thread in told} == {threading.current_thread().name}


def test_a_batch_read_in_parts_records_and_counts_as_one_and_writes_its_counters_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories.connection(msisdn=NUMBER)
    monkeypatch.setattr(csvfile, "PART_ROWS", 2)
    applied = _watched(monkeypatch, "apply", "recorded")
    # Batches of five rows read two at a time: an id repeated in a later part of its batch, and a number that is no
    # connection's, in the parts of the first batch.
    lines = [
        *_lines(3),
        f"pgw:1,{NUMBER},data,domestic,{_started()},99",
        f"pgw:x,+37125500999,data,domestic,{_started()},5",
    ]
    lines += [line.replace("pgw:", "pgw:b") for line in _lines(2)]
    result = import_file(_file(tmp_path, lines), batch_rows=5)
    assert (result.received, result.recorded, result.duplicates) == (7, 5, 1)
    assert [(r.line, r.source_key) for r in result.rejected] == [(6, "pgw:x")]
    assert applied == [3, 2]  # once per batch, for all of its parts
    assert _counted() == (1 + 2 + 3) + (1 + 2)
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == (1 + 2 + 3) + (1 + 2)


def test_an_error_in_a_later_part_of_a_batch_keeps_nothing_of_that_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories.connection(msisdn=NUMBER)
    monkeypatch.setattr(csvfile, "PART_ROWS", 50)
    parts = _watched(monkeypatch, "add", "received")
    path = tmp_path / "usage.csv"
    # Batches of 200 rows read 50 at a time; not UTF-8 at the end, 30 kB in: the parser fails when it decodes that
    # part of the file, a few parts into the second batch, whose parts before are already recorded in its
    # transaction. Decoded 8 kB at a time, as in the test above.
    monkeypatch.setattr(csvfile, "TEXT_CHUNK", 8192)
    text = "\n".join([HEADER, *_lines(400)]) + "\n"
    path.write_bytes(text.encode() + b"pgw:x,\xff\xfe,data\n")
    with pytest.raises(UnicodeDecodeError):
        import_file(path, batch_rows=200)
    assert parts[4:], "the failure came in the second batch's first part: nothing of that batch was recorded"
    assert UsageEvent.objects.count() == 200
    assert _counted() == sum(range(1, 201))
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == sum(range(1, 201))
    assert not _parsers()


def test_the_parser_decodes_a_file_a_large_chunk_at_a_time_not_python_s_8_kb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each read lets go of the interpreter lock and takes it back at once; reading 8 kB at a time, the parser
    # thread kept the caller's thread from the lock for tenths of a second before each part's COPY.
    factories.connection(msisdn=NUMBER)
    chunks: list[int] = []
    original = csvfile._read_in_large_chunks

    def watched(handle: io.TextIOWrapper) -> None:
        original(handle)
        chunks.append(handle._CHUNK_SIZE)  # type: ignore[attr-defined]

    monkeypatch.setattr(csvfile, "_read_in_large_chunks", watched)
    import_file(_file(tmp_path, _lines(3)), batch_rows=2)
    assert chunks == [csvfile.TEXT_CHUNK]
    handle = io.TextIOWrapper(io.BytesIO(b"x,y\n" * (csvfile.TEXT_CHUNK // 2)), encoding="utf-8", newline="")
    original(handle)
    handle.readline()
    assert handle.buffer.tell() == csvfile.TEXT_CHUNK


def test_a_later_file_of_the_same_days_adds_to_each_connections_daily_totals_and_starts_the_days_it_did_not_have(
    tmp_path: Path,
) -> None:
    # Two connections, each file read in parts of batches (on PostgreSQL a part's sums are added a number at a time
    # and the daily totals are COPYed straight in, then merged into those of the first file).
    other = "+37125500002"
    factories.connection(msisdn=NUMBER)
    factories.connection(msisdn=other)
    # Two days apart: two local days whatever the clock (an hour ago and a day ago share a day just after midnight).
    recent, earlier = timezone.now() - datetime.timedelta(hours=1), timezone.now() - datetime.timedelta(days=2)
    first = [f"a:{n},{(NUMBER, other)[n % 2]},data,domestic,{recent.isoformat()},{n + 1}" for n in range(10)]
    later = [
        f"b:{n},{(NUMBER, other)[n % 2]},data,domestic,{(recent if n < 6 else earlier).isoformat()},100"
        for n in range(10)
    ]
    import_file(_file(tmp_path, first), batch_rows=4)
    import_file(_file(tmp_path, later), batch_rows=4)
    totals = {
        (msisdn, day): quantity
        for msisdn, day, quantity in DailyUsage.objects.values_list("connection__msisdn", "day", "quantity")
    }
    day, day_before = local_day(recent), local_day(earlier)
    assert totals == {
        (NUMBER, day): (1 + 3 + 5 + 7 + 9) + 3 * 100,
        (other, day): (2 + 4 + 6 + 8 + 10) + 3 * 100,
        (NUMBER, day_before): 2 * 100,
        (other, day_before): 2 * 100,
    }


def test_a_part_whose_copy_finds_an_id_recorded_after_the_probe_missed_it_counts_each_event_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL a file's part is COPYed whole when a probe of a few of its ids finds none recorded; an id the
    # probe missed stops the COPY, and the part is recorded event by event: its sums are added then, not twice.
    factories.connection(msisdn=NUMBER)
    import_file(_file(tmp_path, _lines(3)), batch_rows=10)
    monkeypatch.setattr(csvfile, "any_recorded", lambda keys: False)
    monkeypatch.setattr(ingest_module, "any_recorded", lambda keys: False)
    result = import_file(_file(tmp_path, _lines(6)), batch_rows=10)
    assert (result.received, result.recorded, result.duplicates) == (6, 3, 3)
    assert UsageEvent.objects.count() == 6
    assert _counted() == sum(range(1, 7))
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == sum(range(1, 7))


def _clock_of_the_recording() -> datetime.datetime:
    """The clock that stamps an event as received: PostgreSQL's (the column's default, which its ingestion leaves
    to the database), SQLite's ingestion's own."""
    if db.vendor != "postgresql":
        return timezone.now()
    with db.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        (now,) = cursor.fetchone()
    return cast(datetime.datetime, now)


def test_every_event_a_file_records_is_stamped_received_within_its_import_whichever_way_it_was_written(
    tmp_path: Path,
) -> None:
    # The file's part is COPYed whole on PostgreSQL; the batch after it, taken for new (`looked_up`), repeats its
    # ids, so its COPY stops and it is written the careful way (ids claimed in the key table), three events new.
    factories.connection(msisdn=NUMBER)
    before = _clock_of_the_recording()
    import_file(_file(tmp_path, _lines(5)), batch_rows=100)
    parse = ingest_module.row_parser(timezone.now())
    rows = [parse(line.split(","), number) for number, line in enumerate(_lines(8), 2)]
    assert ingest_module.ingest(rows, looked_up=True).recorded == 3
    after = _clock_of_the_recording()
    received = list(UsageEvent.objects.values_list("received_at", flat=True))
    assert len(received) == 8
    assert all(before <= stamp <= after for stamp in received), (before, received, after)


def _threads_calling(monkeypatch: pytest.MonkeyPatch, name: str, *modules: Any) -> list[str]:
    """The thread of each call of ingest's function `name`, wherever `modules` (ingest's by default) call it."""
    threads: list[str] = []
    original = getattr(ingest_module, name)

    def watched(*args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(*args)

    for module in modules or (ingest_module,):
        monkeypatch.setattr(module, name, watched)
    return threads


def test_a_batch_s_daily_totals_add_up_its_parts_per_connection_and_day_leaving_out_unknown_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of six rows read two at a time: each connection's day recurs in several parts of its batch, and each
    # batch's middle part has only a number that is no connection's. On PostgreSQL the parser thread adds the parts'
    # sums up while the caller's thread writes the batch's last part, once per batch, and the batch takes them.
    other, unknown = "+37125500002", "+37125500999"
    factories.connection(msisdn=NUMBER)
    factories.connection(msisdn=other)
    monkeypatch.setattr(csvfile, "PART_ROWS", 2)
    monkeypatch.setattr(csvfile, "FIRST_PART_SHARE", 1)
    threads = _threads_calling(monkeypatch, "number_totals", ingest_module, csvfile)
    started = _started()
    numbers = [NUMBER, other, unknown, unknown, other, NUMBER] * 2
    lines = [f"e:{n},{number},data,domestic,{started},{n + 1}" for n, number in enumerate(numbers)]
    result = import_file(_file(tmp_path, lines), batch_rows=6)
    assert (result.received, result.recorded) == (12, 8)
    totals = dict(DailyUsage.objects.values_list("connection__msisdn", "quantity"))
    assert totals == {NUMBER: 1 + 6 + 7 + 12, other: 2 + 5 + 8 + 11}
    if db.vendor == "postgresql":
        assert len(threads) == 2
        assert all(name.startswith("usage-parser") for name in threads), threads


def test_a_batch_one_of_whose_parts_was_all_recorded_already_counts_only_the_events_it_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The batch's middle part holds ids recorded before, which the probes miss: its COPY stops and it records
    # nothing. The daily totals the parser thread added up cover that part's sums too, so the batch adds up its
    # own parts' instead: each event counted once.
    factories.connection(msisdn=NUMBER)
    monkeypatch.setattr(csvfile, "PART_ROWS", 2)
    monkeypatch.setattr(csvfile, "FIRST_PART_SHARE", 1)  # parts of two rows from the first
    lines = _lines(6)
    import_file(_file(tmp_path, lines[2:4]), batch_rows=6)
    monkeypatch.setattr(csvfile, "any_recorded", lambda keys: False)
    monkeypatch.setattr(ingest_module, "any_recorded", lambda keys: False)
    result = import_file(_file(tmp_path, lines), batch_rows=6)
    assert (result.received, result.recorded, result.duplicates) == (6, 4, 2)
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == sum(range(1, 7))
    assert _counted() == sum(range(1, 7))


def test_a_batch_of_many_daily_sums_works_its_cycle_sums_out_beside_the_daily_totals_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL a batch of ALONGSIDE_FROM daily sums and more has its sums per cycle worked out in a thread while
    # the database adds to the daily totals: counted in sums, not in the COPY lines (one per number, here one).
    factories.connection(msisdn=NUMBER)
    monkeypatch.setattr(ingest_module, "ALONGSIDE_FROM", 4)
    threads = _threads_calling(monkeypatch, "_cycle_groups")
    started = _started()
    uses = [("data", "domestic", 1), ("data", "eu", 2), ("voice", "domestic", 60), ("sms", "domestic", 1)]
    lines = [f"k:{n},{NUMBER},{kind},{zone},{started},{quantity}" for n, (kind, zone, quantity) in enumerate(uses)]
    assert import_file(_file(tmp_path, lines)).recorded == 4
    assert DailyUsage.objects.count() == 4
    if db.vendor == "postgresql":
        assert threads
        assert all(name.startswith("usage-sums") for name in threads), threads


def test_an_error_while_the_parser_adds_a_batch_s_totals_up_reaches_the_caller_and_keeps_nothing_of_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL the parser thread adds the batch's daily totals up after handing its last part over, and the
    # caller's thread waits for them when the batch ends: what stops them reaches it there (it never waits forever).
    factories.connection(msisdn=NUMBER)
    monkeypatch.setattr(csvfile, "PART_ROWS", 2)

    def failing(*args: Any) -> Any:
        raise RuntimeError("the totals failed")

    monkeypatch.setattr(csvfile, "number_totals", failing)
    monkeypatch.setattr(ingest_module, "number_totals", failing)
    path = _file(tmp_path, _lines(6))
    if db.vendor != "postgresql":  # SQLite's import makes no COPY lines, so no totals: it records the file
        assert import_file(path, batch_rows=6).recorded == 6
        return
    with pytest.raises(RuntimeError, match="the totals failed"):
        import_file(path, batch_rows=6)
    assert UsageEvent.objects.count() == 0
    assert not DailyUsage.objects.exists()
    assert not _parsers()
