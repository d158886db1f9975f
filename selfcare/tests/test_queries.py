"""selfcare.queries.Prepared: a read compiled once gives what its queryset gives, on either database."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from selfcare.customers.models import GB
from selfcare.customers.tests import factories
from selfcare.queries import MARK_IDS, Prepared
from selfcare.usage.models import Bucket, DailyUsage, Kind
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db
MB = 1000**2
SOME_MOMENT = datetime.datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)


def _used_in_three_cycles() -> list[int]:
    """Two connections with data used this cycle, 40 and 70 days ago (in and out of the EU)."""
    ids = []
    for n in (1, 2):
        connection = factories.connection(
            account=factories.private_account(personal_code=("150385-12346", "220790-18761")[n - 1]),
            tariff_plan=factories.tariff_plan(data_bytes=10 * GB, eu_data_bytes=8 * GB),
            msisdn=f"+3712910000{n}",
        )
        now = timezone.now()
        feed(
            row(connection.msisdn, n * 700 * MB, now),
            row(connection.msisdn, 100 * MB, now, zone="eu"),
            row(connection.msisdn, 3 * GB, now - datetime.timedelta(days=40)),
            row(connection.msisdn, 20 * GB, now - datetime.timedelta(days=70)),  # beyond the allowance too
        )
        ids.append(connection.pk)
    return ids


def test_a_prepared_aggregate_gives_the_rows_its_queryset_gives() -> None:
    def build(connection_id: int, before: datetime.datetime) -> QuerySet[Any]:
        return (
            Bucket.objects.filter(connection_id=connection_id, kind=Kind.DATA, cycle__starts_at__lt=before)
            .values_list("cycle__starts_at", "cycle__ends_at")
            .annotate(total=Sum(F("used") + F("out_of_bucket")))
            .order_by("-cycle__starts_at")[:6]
        )

    prepared = Prepared(Bucket, build, connection_id=-7_654_321, before=SOME_MOMENT)
    later = timezone.now() + datetime.timedelta(days=60)
    for connection_id in _used_in_three_cycles():
        for before in (timezone.now(), later):
            expected = list(build(connection_id, before))
            assert len(expected) >= 2
            assert prepared.rows(connection_id=connection_id, before=before) == expected
            assert all(timezone.is_aware(starts_at) for starts_at, _ends_at, _total in expected)


def test_prepared_days_and_models_are_what_the_queryset_gives() -> None:
    def days(connection_id: int, first: datetime.date, last: datetime.date) -> QuerySet[Any]:
        return DailyUsage.objects.filter(connection_id=connection_id, day__gte=first, day__lte=last).values_list(
            "day", "zone", "quantity"
        )

    def buckets(connection_id: int, since: datetime.datetime) -> QuerySet[Bucket]:
        return Bucket.objects.filter(connection_id=connection_id, valid_from__gte=since).order_by("pk")

    prepared_days = Prepared(
        DailyUsage, days, connection_id=-7_654_321, first=datetime.date(2001, 2, 3), last=datetime.date(2001, 2, 4)
    )
    prepared_buckets = Prepared(Bucket, buckets, connection_id=-7_654_321, since=SOME_MOMENT)
    today = timezone.localdate()
    for connection_id in _used_in_three_cycles():
        first, last = today - datetime.timedelta(days=45), today
        expected = list(days(connection_id, first, last))
        assert len(expected) == 3
        assert sorted(prepared_days.rows(connection_id=connection_id, first=first, last=last)) == sorted(expected)
        since = timezone.now() - datetime.timedelta(days=100)
        read = list(prepared_buckets.models(connection_id=connection_id, since=since))
        assert [_fields(b) for b in read] == [_fields(b) for b in buckets(connection_id, since)]


def _fields(bucket: Bucket) -> dict[str, object]:
    return {field.attname: getattr(bucket, field.attname) for field in Bucket._meta.concrete_fields}


def test_a_marker_the_statement_does_not_hold_is_refused() -> None:
    prepared = Prepared(
        Bucket, lambda connection_id: Bucket.objects.filter(connection_id=7).order_by(), connection_id=-7_654_321
    )
    with pytest.raises(RuntimeError, match="connection_id"):
        prepared.rows(connection_id=7)


def test_a_list_marker_is_compiled_per_length_and_gives_what_the_queryset_gives() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from selfcare.customers.models import Connection
    from selfcare.queries import MARK_TEXTS

    def build(ids: list[int], numbers: list[str]) -> QuerySet[Any]:
        return Connection.objects.filter(pk__in=ids, msisdn__in=numbers).order_by("pk").values_list("pk", "msisdn")

    first, second = _used_in_three_cycles()
    numbers = dict(Connection.objects.values_list("pk", "msisdn"))
    prepared = Prepared(Connection, build, ids=MARK_IDS, numbers=MARK_TEXTS)
    for ids, texts in (
        ([first], [numbers[first]]),
        ([first, second], [numbers[first], numbers[second]]),
        ([second, first], [numbers[first]]),
        ([first, second, 10**9], [numbers[second], "+37100000000", numbers[first]]),
    ):
        expected = list(build(ids, texts))
        assert expected
        assert prepared.rows(ids=ids, numbers=texts) == expected
    assert sorted(lengths for _alias, lengths in prepared._compiled) == [(1, 1), (2, 1), (2, 2), (3, 3)]
    with CaptureQueriesContext(connection) as statements:
        assert prepared.rows(ids=[], numbers=[numbers[first]]) == []
        assert list(prepared.models(ids=[first], numbers=[])) == []
    assert statements.captured_queries == []


def test_prepared_models_with_some_fields_and_an_annotation_are_what_the_queryset_gives() -> None:
    from selfcare.customers.models import Connection

    def build(ids: list[int]) -> QuerySet[Connection]:
        return (
            Connection.objects.filter(pk__in=ids)
            .only("msisdn", "status")
            .annotate(plan_name=F("tariff_plan__name"))
            .order_by("-pk")
        )

    ids = _used_in_three_cycles()

    made = Prepared(Connection, build, ids=MARK_IDS).models(ids=ids)
    read = list(build(ids))
    assert len(made) == len(read) == 2
    for ours, django in zip(made, read, strict=True):
        assert (ours.pk, ours.msisdn, ours.status, ours.plan_name) == (  # type: ignore[attr-defined]
            django.pk,
            django.msisdn,
            django.status,
            django.plan_name,  # type: ignore[attr-defined]
        )
        assert ours.get_deferred_fields() == django.get_deferred_fields()
        assert (ours._state.adding, ours._state.db) == (False, django._state.db)


def test_prepared_models_with_select_related_make_the_related_instances_the_queryset_makes() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from selfcare.access.tests.factories import binding, person
    from selfcare.binding.models import BindingStatus, ConnectionBinding
    from selfcare.customers.models import Connection

    def build(ids: list[int]) -> QuerySet[Connection]:
        return (
            Connection.objects.filter(pk__in=ids)
            .select_related("tariff_plan", "account__company")
            .annotate(plan_code=F("tariff_plan__code"))
            .order_by("pk")
        )

    ids = _used_in_three_cycles()
    company_connection = factories.connection(account=factories.business_account(), msisdn="+37129100009")
    ids.append(company_connection.pk)
    made = Prepared(Connection, build, ids=MARK_IDS).models(ids=ids)
    read = list(build(ids))
    assert len(made) == len(read) == 3
    with CaptureQueriesContext(connection) as statements:
        for ours, django in zip(made, read, strict=True):
            assert _all_fields(ours) == _all_fields(django)
            assert ours.plan_code == django.plan_code  # type: ignore[attr-defined]
            assert _all_fields(ours.tariff_plan) == _all_fields(django.tariff_plan)
            assert _all_fields(ours.account) == _all_fields(django.account)
            # A private account has no company: None, as the queryset makes it, not a read.
            assert (ours.account.company and _all_fields(ours.account.company)) == (
                django.account.company and _all_fields(django.account.company)
            )
            assert (ours._state.adding, ours._state.db) == (False, django._state.db)
            assert (ours.tariff_plan._state.adding, ours.account._state.db) == (False, django.account._state.db)
    assert made[-1].account.company is not None
    assert statements.captured_queries == []  # every related instance was made from the row

    # The connection page's binding with its person.
    bound = binding(company_connection, person("150385-12346"))
    active = Prepared(
        ConnectionBinding,
        lambda connection_id: ConnectionBinding.objects.filter(
            connection_id=connection_id, status=BindingStatus.ACTIVE
        ).select_related("identity"),
        connection_id=-7_654_321,
    ).models(connection_id=company_connection.pk)
    assert [b.pk for b in active] == [bound.pk]
    with CaptureQueriesContext(connection) as statements:
        assert _all_fields(active[0].identity) == _all_fields(bound.identity)
    assert statements.captured_queries == []


def _all_fields(instance: Any) -> dict[str, object]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_a_prepared_insert_stores_the_row_objects_create_stores() -> None:
    from selfcare.access.tests.factories import person
    from selfcare.audit.models import AuditEvent
    from selfcare.queries import PreparedInsert

    anna, peter = person("150385-12346"), person("220790-18761")
    insert = PreparedInsert(AuditEvent)
    for values in (
        {"identity": anna, "context": "company-7", "company_id": 7, "action": "portal:connection:view"},
        {"identity": None, "action": "login:failed", "ip_address": "2001:db8::1", "user_agent": "Firefox"},
        {"identity": anna, "subject": peter, "staff_role": "support", "object_type": "x.y", "object_id": "12"},
    ):
        before = timezone.now()
        ours = insert.create(**values)
        django = AuditEvent.objects.create(**values)
        assert (ours._state.adding, ours._state.db) == (False, django._state.db)
        assert ours.pk is not None
        assert ours.pk != django.pk
        assert before <= ours.occurred_at <= django.occurred_at  # auto_now_add, as save sets it
        stored, expected = (
            {
                k: v
                for k, v in _all_fields(AuditEvent.objects.get(pk=event.pk)).items()
                if k not in ("id", "occurred_at")
            }
            for event in (ours, django)
        )
        assert stored == expected
        assert AuditEvent.objects.get(pk=ours.pk).occurred_at == ours.occurred_at


def test_a_prepared_insert_is_refused_while_a_receiver_listens_to_the_models_saves() -> None:
    from django.db.models.signals import post_save, pre_save

    from selfcare.audit.models import AuditEvent
    from selfcare.queries import PreparedInsert

    def forward(**kwargs: object) -> None:  # what a later receiver could do: PreparedInsert must not skip it
        raise AssertionError("not reached")

    insert = PreparedInsert(AuditEvent)
    for signal in (pre_save, post_save):
        signal.connect(forward, sender=AuditEvent)
        try:
            with pytest.raises(RuntimeError, match="signal receivers"):
                insert.create(action="login:failed")
        finally:
            signal.disconnect(forward, sender=AuditEvent)
    assert not AuditEvent.objects.filter(action="login:failed").exists()
    assert insert.create(action="login:failed").pk is not None


def _prepared_on_the_server(text: str) -> int:
    """How many statements this connection has prepared on PostgreSQL whose text contains `text`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return sum(text in statement for (statement,) in cursor.fetchall())


def test_a_read_planned_with_its_values_is_never_prepared_and_gives_what_the_queryset_gives() -> None:
    # With server-side binding PostgreSQL prepares a read run five times and may keep a generic plan made without
    # its values; `planned_with_values` keeps a statement out of that (selfcare.queries, docs/performance.md).
    from django.db import connection

    from selfcare.customers.models import Connection
    from selfcare.queries import MARK_ID

    first, second = _used_in_three_cycles()

    def build(pk: int) -> QuerySet[Any]:
        return Connection.objects.filter(pk=pk).values_list("pk", "msisdn")

    planned = Prepared(Connection, build, pk=MARK_ID, planned_with_values=True)
    kept = Prepared(Connection, lambda pk: build(pk).filter(msisdn__startswith="+"), pk=MARK_ID)
    expected = {pk: list(build(pk)) for pk in (first, second)}  # twice: fewer runs than psycopg prepares after
    for pk in (first, second) * 4:
        assert planned.rows(pk=pk) == expected[pk]
        assert kept.rows(pk=pk) == expected[pk]
    if connection.vendor != "postgresql" or not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        return  # nothing is prepared: the rows above are the test
    assert _prepared_on_the_server(" LIKE ") == 1  # the other read, run as often, was prepared
    assert _prepared_on_the_server('"customers_connection"."id" = $1') == 1  # that one only
    assert connection.connection.prepare_threshold == 5  # given back after each planned read
