"""The itemised usage export (CSV) of a connection for a month: the records ingested, for those who may see bills."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.customers.tests import factories
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db


def _client(identity: object) -> Client:
    client = Client()
    client.force_login(identity.user)  # type: ignore[attr-defined]
    return client


def test_the_main_user_exports_a_connections_month_and_the_employee_cannot() -> None:
    company = factories.company(name="SIA Alfa")
    connection = factories.connection(account=factories.business_account(company=company))
    anna = people.person("15038512346", "ANNA")
    peteris = people.person("22079018761", "PĒTERIS")
    people.mandate(company, anna)
    people.binding(connection, peteris)
    # Last month (always in the past, so ingestion takes it), and one record of the month before, left out.
    first = timezone.localtime().replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    this_month = (first - datetime.timedelta(days=1)).replace(day=2)
    month_before = (this_month.replace(day=1) - datetime.timedelta(days=1)).replace(day=2)
    feed(
        row(connection.msisdn, 1_500_000, this_month),
        row(connection.msisdn, 120, this_month + datetime.timedelta(hours=1), kind="voice"),
        row(connection.msisdn, 7, month_before, kind="sms"),
    )
    url = f"/en/acting/company-{company.pk}/connections/{connection.pk}/usage-{this_month:%Y}-{this_month.month}.csv"
    response = _client(anna).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="usage-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Started", "Kind", "Zone", "Quantity", "Unit"]
    assert [r[1:] for r in rows[1:]] == [["Data", "Latvia", "1500000", "bytes"], ["Calls", "Latvia", "120", "seconds"]]
    assert AuditEvent.objects.filter(action="portal:usage:export", identity=anna).count() == 1
    page = _client(anna).get(f"/en/acting/company-{company.pk}/connections/{connection.pk}/").content.decode()
    assert url in page
    work = f"/en/acting/work-{company.pk}/connections/{connection.pk}/usage-{this_month:%Y}-{this_month.month}.csv"
    assert _client(peteris).get(work).status_code == 404
    employee_page = _client(peteris).get(f"/en/acting/work-{company.pk}/connections/{connection.pk}/")
    assert 'data-testid="itemised"' not in employee_page.content.decode()


def test_the_same_month_comes_as_a_spreadsheet_with_times_and_numbers_as_such() -> None:
    company = factories.company(name="SIA Alfa")
    connection = factories.connection(account=factories.business_account(company=company))
    anna = people.person("15038512346", "ANNA")
    people.mandate(company, anna)
    first = timezone.localtime().replace(day=1, hour=9, minute=0, second=0, microsecond=0)
    last_month = (first - datetime.timedelta(days=1)).replace(day=2)
    feed(row(connection.msisdn, 1_500_000, last_month), row(connection.msisdn, 3, last_month, kind="sms"))
    url = f"/en/acting/company-{company.pk}/connections/{connection.pk}/usage-{last_month:%Y}-{last_month.month}.xlsx"
    response = _client(anna).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Started", "Kind", "Zone", "Quantity", "Unit"]
    assert sorted(r[1:] for r in rows[1:]) == [["Data", "Latvia", 1_500_000, "bytes"], ["SMS", "Latvia", 3, "messages"]]
    assert rows[1][0] == last_month.replace(tzinfo=None)
    assert AuditEvent.objects.filter(action="portal:usage:export", identity=anna).count() == 1
