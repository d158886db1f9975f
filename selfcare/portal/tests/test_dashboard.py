"""The page every person lands on: all their connections, grouped by context, in constant SQL whatever the size."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection as db
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from selfcare.access.tests import factories as people
from selfcare.customers.models import Connection, ConnectionStatus
from selfcare.customers.tests import factories
from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.identity.models import NationalIdentifier
from selfcare.mandates.models import Mandate, MandateStatus
from selfcare.tests.clock import at
from selfcare.usage.models import CompanyDataSummary

pytestmark = pytest.mark.django_db


def _demo_client(client: Client, code: str) -> Client:
    identity = NationalIdentifier.objects.filter(code=code).first()
    person = identity.identity if identity else people.person(code)
    client.force_login(person.user)
    return client


def test_the_notice_picture_one_person_sees_private_connections_and_four_companies_separately(client: Client) -> None:
    load_demo()
    response = _demo_client(client, "15038512346").get("/en/dashboard/")
    groups = response.context["groups"]
    assert groups[0].context.key == "private"
    assert [g.context.company_name for g in groups[1:]] == sorted(c.name for c in dataset.COMPANIES)
    assert groups[0].count == 2
    html = response.content.decode()
    for company in dataset.COMPANIES:
        assert f"{company.name} — main user" in html
        assert company.registration_number in html
    assert 'data-testid="group-private"' in html


def test_an_employee_sees_only_their_own_work_number(client: Client) -> None:
    load_demo()
    groups = _demo_client(client, "22079018761").get("/en/dashboard/").context["groups"]
    assert [(g.context.key.split("-")[0], g.count) for g in groups] == [("work", 1)]
    assert [c.msisdn for c in groups[0].connections] == ["+37125500001"]


def test_a_person_with_no_connections_gets_a_helpful_page_with_the_plans(client: Client) -> None:
    load_demo()
    client = _demo_client(client, "32579104511")
    assert client.get("/en/dashboard/")["Location"] == "/en/work-number/?first=1"  # the step, once per session
    html = client.get("/en/dashboard/").content.decode()
    assert "You have no connections yet" in html
    assert "Add a work number" in html
    assert "power of attorney" in html
    assert "one-time code" in html
    assert "Privāts Bezlimits" in html


def _company_with(count: int) -> tuple[Client, int]:
    company = factories.company()
    account = factories.business_account(company=company)
    plan = factories.tariff_plan()
    Connection.objects.bulk_create(
        Connection(msisdn=f"+37126{i:06d}", account=account, tariff_plan=plan, activated_on=datetime.date(2024, 1, 1))
        for i in range(count)
    )
    anna = people.person("15038512346")
    people.mandate(company, anna)
    factories.connection(account=factories.private_account(personal_code="150385-12346"), msisdn="+37129100001")
    client = Client()
    client.force_login(anna.user)
    return client, company.pk


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(db) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboard_costs_the_same_sql_for_10_and_for_10000_connections() -> None:
    """The same whether the company summary is kept (a fresh row read) or summed again after a change."""
    # The clock stands still: a session touched again after a slow bulk insert would add its own statements.
    with at(timezone.now()):
        client, company_id = _company_with(10)
        client.get("/en/dashboard/")  # the first request of a session also writes the session
        small = _queries(client, "/en/dashboard/")
        CompanyDataSummary.objects.update(stale=True)  # as any change to the company's buckets or numbers does
        small_after_change = _queries(client, "/en/dashboard/")
        assert small < small_after_change  # the kept summary is read, not summed
        Connection.objects.bulk_create(
            Connection(
                msisdn=f"+37127{i:06d}",
                account_id=Connection.objects.filter(account__company_id=company_id).values_list(
                    "account_id", flat=True
                )[0],
                tariff_plan_id=Connection.objects.values_list("tariff_plan_id", flat=True)[0],
                activated_on=datetime.date(2024, 1, 1),
            )
            for i in range(9990)
        )
        assert Connection.objects.filter(account__company_id=company_id).count() == 10_000
        assert _queries(client, "/en/dashboard/") == small_after_change  # the new numbers made the summary stale
        assert _queries(client, "/en/dashboard/") == small


def test_a_company_list_is_searchable_by_number_or_label_filterable_and_paged() -> None:
    client, company_id = _company_with(120)
    Connection.objects.filter(msisdn="+37126000007").update(
        user_label="Ilze Kalniņa", status=ConnectionStatus.SUSPENDED
    )
    url = f"/en/acting/company-{company_id}/connections/"
    first = client.get(url).context["page"]
    assert (first.paginator.count, len(first.object_list), first.paginator.num_pages) == (120, 50, 3)
    assert [c.msisdn for c in client.get(url, {"q": "26 000 007"}).context["page"].object_list] == ["+37126000007"]
    assert [c.msisdn for c in client.get(url, {"q": "kalniņa"}).context["page"].object_list] == ["+37126000007"]
    assert client.get(url, {"status": "suspended"}).context["page"].paginator.count == 1
    assert client.get(url, {"page": "3"}).context["page"].object_list[0].msisdn == "+37126000100"


def test_every_context_page_says_whom_the_person_is_acting_for(client: Client) -> None:
    load_demo()
    client = _demo_client(client, "15038512346")
    company = dataset.COMPANIES[0]
    groups = client.get("/en/dashboard/").context["groups"]
    key = next(g.context.key for g in groups if g.context.company_name == company.name)
    connection = client.get(f"/en/acting/{key}/connections/").context["page"].object_list[0]
    for url in (f"/en/acting/{key}/connections/", f"/en/acting/{key}/connections/{connection.pk}/"):
        html = client.get(url).content.decode()
        assert "Acting as:" in html
        assert f"{company.name} — main user" in html


def test_an_employee_sees_their_own_connection_with_its_plan_usage_and_offers_sections(client: Client) -> None:
    load_demo()
    client = _demo_client(client, "22079018761")
    group = client.get("/en/dashboard/").context["groups"][0]
    connection = group.connections[0]
    html = client.get(f"/en/acting/{group.context.key}/connections/{connection.pk}/").content.decode()
    assert "Bizness Eiropa 15 GB" in html
    assert 'data-testid="usage"' in html
    assert "of 15 GB left" in html
    assert 'data-testid="offers"' in html
    assert "Tele2 Komplimenti" in html


def test_a_big_company_is_a_summary_on_the_dashboard_with_its_list_one_click_away() -> None:
    client, company_id = _company_with(120)
    some = Connection.objects.filter(account__company_id=company_id).select_related("tariff_plan").first()
    assert some is not None
    plan_bytes = some.tariff_plan.data_bytes
    assert plan_bytes is not None
    html = client.get("/en/dashboard/").content.decode()
    key = f"company-{company_id}"
    group = html.split(f'data-testid="group-{key}"')[1].split("</section>")[0]
    assert "<table" not in group  # no rows of numbers on the first screen
    assert "120 connections" in group
    assert 'data-testid="summary-data-left"' in group
    assert "0 numbers have used 90% of their data or more" in group
    assert f'href="/en/acting/{key}/connections/"' in group
    summary = client.get("/en/dashboard/").context["summaries"][key]
    assert summary.data.left == 120 * plan_bytes  # nothing used yet: every allowance whole
    # A small private context keeps its rows.
    assert "<table" in html.split('data-testid="group-private"')[1].split("</section>")[0]


def test_numbers_near_their_limit_are_counted_in_the_summary_and_listed_one_click_away() -> None:
    from django.utils import timezone

    from selfcare.usage.ingest import EventRow, ingest

    client, company_id = _company_with(5)
    first = Connection.objects.filter(account__company_id=company_id).order_by("msisdn").first()
    assert first is not None
    allowance = first.tariff_plan.data_bytes
    assert allowance is not None
    now = timezone.now()
    ingest([EventRow(1, "near", first.msisdn, "data", "domestic", now, int(allowance * 0.95))], now=now)
    summary = client.get("/en/dashboard/").context["summaries"][f"company-{company_id}"]
    assert summary.data.near_limit == 1
    assert summary.data.left == 5 * allowance - int(allowance * 0.95)
    key = f"company-{company_id}"
    html = client.get("/en/dashboard/").content.decode()
    link = f'href="/en/acting/{key}/connections/?data=near"'
    assert link in html.split(f'data-testid="group-{key}"')[1].split("</section>")[0]
    near = client.get(f"/en/acting/{key}/connections/", {"data": "near"}).context["page"]
    assert [c.msisdn for c in near.object_list] == [first.msisdn]
    assert client.get(f"/en/acting/{key}/connections/", {"data": "anything"}).context["page"].paginator.count == 5


def _companies_of(anna_code: str, count: int, *, each: int = 5) -> list[int]:
    """`count` companies of `each` connections (over SUMMARY_ABOVE: shown as summaries), with Anna as main user."""
    anna = people.person(anna_code)
    plan = factories.tariff_plan()
    ids = []
    for n in range(count):
        company = factories.company()
        account = factories.business_account(company=company)
        Connection.objects.bulk_create(
            Connection(
                msisdn=f"+3712{n}{i:06d}", account=account, tariff_plan=plan, activated_on=datetime.date(2024, 1, 1)
            )
            for i in range(each)
        )
        people.mandate(company, anna)
        ids.append(company.pk)
    return ids


def test_five_companies_cost_the_same_sql_as_one() -> None:
    """Statements per company were the rows' count, its pending powers of attorney and its query: now none."""
    with at(timezone.now()):
        _companies_of("15038512346", 1)
        anna = NationalIdentifier.objects.get(code="15038512346").identity
        client = Client()
        client.force_login(anna.user)
        client.get("/en/dashboard/")  # the session's first write, and the summaries kept
        one = _queries(client, "/en/dashboard/")
        for n in range(1, 5):
            company = factories.company()
            account = factories.business_account(company=company)
            Connection.objects.bulk_create(
                Connection(
                    msisdn=f"+3712{n}{i:06d}",
                    account=account,
                    tariff_plan_id=Connection.objects.values_list("tariff_plan_id", flat=True)[0],
                    activated_on=datetime.date(2024, 1, 1),
                )
                for i in range(5)
            )
            people.mandate(company, anna)
        client.get("/en/dashboard/")  # the new companies' summaries, kept
        assert len(client.get("/en/dashboard/").context["groups"]) == 5
        assert _queries(client, "/en/dashboard/") == one


def test_each_company_summary_counts_its_own_powers_of_attorney_not_yet_in_force() -> None:
    first, second, third = _companies_of("15038512346", 3)
    for company_id, status in (
        (first, MandateStatus.SUBMITTED),
        (first, MandateStatus.DRAFT),
        (third, MandateStatus.DRAFT),
    ):
        Mandate.objects.create(
            company_id=company_id,
            attorney_country="LV",
            attorney_code="22079018761",
            attorney_name="Pēteris Ozols",
            status=status,
            valid_from=timezone.localdate(),
            valid_until=timezone.localdate() + datetime.timedelta(days=30),
        )
    Mandate.objects.create(  # no longer pending: not counted
        company_id=second,
        attorney_country="LV",
        attorney_code="22079018761",
        attorney_name="Pēteris Ozols",
        status=MandateStatus.REVOKED,
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    client = Client()
    client.force_login(NationalIdentifier.objects.get(code="15038512346").identity.user)
    summaries = client.get("/en/dashboard/").context["summaries"]
    assert [summaries[f"company-{c}"].pending_mandates for c in (first, second, third)] == [2, 0, 1]
    html = client.get("/en/dashboard/").content.decode()
    assert "2 powers of attorney not yet in force" in html.split(f'data-testid="group-company-{first}"')[1]
    assert (
        'data-testid="summary-pending"'
        not in html.split(f'data-testid="group-company-{second}"')[1].split("</section>")[0]
    )


def test_a_company_list_costs_eight_statements_and_links_each_row_as_reverse_does() -> None:
    """Session, user with identity; the company context (its mandates); the count and the page of rows; their data
    left and who bound them; the plans of the filter. The rows' links are made from one reverse, each the URL
    reverse gives for the row."""
    from django.urls import reverse

    client, company_id = _company_with(60)
    url = f"/en/acting/company-{company_id}/connections/"
    with at(timezone.now()):  # the clock stands still: the session is not touched again between the two requests
        client.get(url)
        with CaptureQueriesContext(db) as captured:
            response = client.get(url)
    assert len(captured) == 8, [q["sql"][:80] for q in captured.captured_queries]
    html = response.content.decode()
    rows = response.context["page"].object_list
    assert len(rows) == 50
    for row in rows:
        link = reverse("portal:connection", kwargs={"context": f"company-{company_id}", "connection_id": row.pk})
        assert f'<a href="{link}">' in html


def test_a_private_group_counts_its_live_connections_and_lists_them_by_number_up_to_the_summary_size() -> None:
    from selfcare.access.contexts import ContextKind, contexts_of
    from selfcare.access.overview import SUMMARY_ABOVE, overview

    person = people.person("161175-19997")
    account = factories.private_account(personal_code="161175-19997")
    other = factories.private_account(personal_code="161175-19997")
    numbers = ["+37129100003", "+37129100001", "+37129100002"]
    for number in numbers:
        factories.connection(account=account if number != "+37129100002" else other, msisdn=number)
    factories.connection(
        account=account,
        msisdn="+37129100000",
        status=ConnectionStatus.TERMINATED,
        terminated_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    factories.connection(account=factories.private_account(personal_code="220790-18761"), msisdn="+37129100009")

    def private_group() -> tuple[int, list[str]]:
        group = next(g for g in overview(person, contexts_of(person)) if g.context.kind == ContextKind.PRIVATE)
        assert len(group.context.account_ids) == 2
        return group.count, [c.msisdn for c in group.connections]

    assert private_group() == (SUMMARY_ABOVE, sorted(numbers))  # the terminated one and another's left out
    factories.connection(account=other, msisdn="+37129100004")
    assert private_group() == (SUMMARY_ABOVE + 1, [])  # a summary: no rows read
