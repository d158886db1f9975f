"""A company's itemised usage for a month as one file: the main user and the representatives may ask for it,
employees and narrow mandates never; small months are written at once, large ones by a worker with their
progress shown; the file is kept in the documents storage and each person downloads only their own."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from selfcare.access.contexts import ContextKind, contexts_of
from selfcare.access.policy import company_to_export
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.customers.models import Company, Connection
from selfcare.customers.tests import factories
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates.models import MandateScope
from selfcare.mandates.tests import builders
from selfcare.spend.exports import PROGRESS_EVERY
from selfcare.spend.models import ExportState, UsageExport
from selfcare.spend.tests.factories import MB
from selfcare.tests.clock import at, riga
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
NOW = riga(2026, 3, 20)


@dataclass
class World:
    alfa: Company
    numbers: list[Connection]
    other: Connection  # SIA Beta's
    anna: DigitalIdentity  # main user of Alfa
    peteris: DigitalIdentity  # employee of Alfa
    janis: DigitalIdentity  # representative of Alfa
    narrow: DigitalIdentity  # main user of one of Alfa's numbers only


@pytest.fixture
def world() -> World:
    alfa = factories.company(name="SIA Alfa")
    account = factories.business_account(company=alfa)
    numbers = [factories.connection(account=account, msisdn=f"+3712650000{i}") for i in range(2)]
    other = factories.connection(account=factories.business_account(company=factories.company(name="SIA Beta")))
    anna = people.person("15038512346", "ANNA")
    peteris = people.person("22079018761", "PĒTERIS")
    janis = people.person("12047811230", "JĀNIS")
    narrow = people.person("32579104511", "LĪGA")
    with at(NOW):
        people.mandate(alfa, anna)
        people.mandate(alfa, narrow, scope=MandateScope.SELECTED).connections.add(numbers[0])
    people.binding(numbers[0], peteris)
    builders.representative(alfa, "Jānis Kalniņš", "12047811230", personal_code="12047811230")
    with at(NOW):
        feed(
            row(numbers[0].msisdn, 5 * MB, riga(2026, 2, 27)),
            row(numbers[1].msisdn, 7 * MB, riga(2026, 2, 3)),
            row(numbers[0].msisdn, 1 * MB, riga(2026, 3, 1)),  # March: not in February's file
            row(other.msisdn, 9 * MB, riga(2026, 2, 5)),  # another company's
        )
    return World(alfa, numbers, other, anna, peteris, janis, narrow)


def _client(identity: DigitalIdentity) -> Client:
    client = Client()
    client.force_login(identity.user)
    return client


def _url(kind: str, world: World) -> str:
    return f"/en/acting/{kind}-{world.alfa.pk}/usage-exports/"


def test_the_main_user_and_the_representative_may_export_the_company_and_no_one_else(world: World) -> None:
    with at(NOW):
        allowed = {
            (identity, c.kind)
            for identity in (world.anna, world.peteris, world.janis, world.narrow)
            for c in contexts_of(identity)
            if company_to_export(c) == world.alfa.pk
        }
    assert allowed == {(world.anna, ContextKind.COMPANY), (world.janis, ContextKind.REPRESENTATIVE)}
    with at(NOW):
        assert _client(world.peteris).get(_url("work", world)).status_code == 404
        assert _client(world.narrow).get(_url("company", world)).status_code == 404
        assert (
            _client(world.narrow).post(_url("company", world), {"month": "2026-02", "file_format": "csv"}).status_code
            == 404
        )
    assert not UsageExport.objects.exists()


def test_a_small_month_is_written_at_once_kept_in_the_documents_storage_and_downloaded_as_csv(world: World) -> None:
    client = _client(world.anna)
    with at(NOW):
        response = client.post(_url("company", world), {"month": "2026-02", "file_format": "csv"})
        assert response.status_code == 302
        export = UsageExport.objects.get()
        assert (export.state, export.rows_total, export.percent) == (ExportState.DONE, 2, 100)
        page = client.get(_url("company", world)).content.decode()
        assert 'data-state="done"' in page
        download = client.get(f"{_url('company', world)}{export.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="usage-')
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert [r[0] for r in rows[1:]] == [world.numbers[0].msisdn, world.numbers[1].msisdn]  # number by number
    assert world.other.msisdn not in download.content.decode()
    assert export.file_name.startswith("usage-exports/")
    assert AuditEvent.objects.filter(action="portal:usage:company-export", identity=world.anna).exists()
    assert AuditEvent.objects.filter(action="portal:usage:company-export-download", identity=world.anna).exists()


def test_a_representative_downloads_an_xlsx_and_nobody_else_downloads_their_file(world: World) -> None:
    janis = _client(world.janis)
    with at(NOW):
        janis.post(_url("representative", world), {"month": "2026-02", "file_format": "xlsx"})
        export = UsageExport.objects.get()
        download = janis.get(f"{_url('representative', world)}{export.pk}/")
        assert _client(world.anna).get(f"{_url('company', world)}{export.pk}/").status_code == 404  # Janis' own
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content), read_only=True).active
    assert sheet is not None
    values = list(sheet.values)
    assert len(values) == 3  # the header and February's two records
    assert {values[1][0], values[2][0]} == {world.numbers[0].msisdn, world.numbers[1].msisdn}


def test_a_large_month_is_written_by_a_worker_and_its_progress_is_shown(
    world: World, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.COMPANY_EXPORT_DIRECT_ROWS = 1  # two records: "large"
    client = _client(world.anna)
    with at(NOW):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            client.post(_url("company", world), {"month": "2026-02", "file_format": "csv"})
        export = UsageExport.objects.get()
        assert export.state == ExportState.QUEUED
        page = client.get(_url("company", world)).content.decode()
        assert '<meta http-equiv="refresh"' in page  # the page follows the progress without script
        assert "<progress" in page
        assert len(queued) == 1
        queued[0]()  # the worker runs the task (the tests' backend runs it at once)
        export.refresh_from_db()
        assert export.state == ExportState.DONE
        page = client.get(_url("company", world)).content.decode()
    assert '<meta http-equiv="refresh"' not in page
    assert PROGRESS_EVERY > 0


def test_a_month_not_offered_keeps_the_form_with_a_clear_error(world: World) -> None:
    with at(NOW):
        response = _client(world.anna).post(_url("company", world), {"month": "1999-01", "file_format": "pdf"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose one of the months shown." in page
    assert "Choose CSV or XLSX." in page
    assert not UsageExport.objects.exists()
