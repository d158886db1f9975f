"""The daily refresh from the Register of Enterprises' export: a representative it no longer lists loses the
representative context at once, the removal is audited, and the company's main users are told."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from selfcare.access.contexts import ContextKind, contexts_of
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.binding.models import SmsMessage
from selfcare.customers.tests import factories
from selfcare.mandates.tasks import refresh_register
from selfcare.mandates.tests.test_representatives import _officers, _row
from selfcare.schedule import SCHEDULE

pytestmark = pytest.mark.django_db(transaction=True)

COMPANY = "40003111115"


def test_the_daily_refresh_removes_a_representative_the_register_no_longer_lists_and_tells_the_main_users(
    settings: Any, tmp_path: Path
) -> None:
    company = factories.company(name="SIA Alfa", registration_number=COMPANY)
    export = tmp_path / "officers.csv"
    settings.REGISTER_OFFICERS_FILE = str(export)
    export.write_text(
        _officers(
            _row("1", COMPANY, "Līga Liepa", "325791-*****", "INDIVIDUALLY"),
            _row("2", COMPANY, "Jānis Kalniņš", "120478-*****", "INDIVIDUALLY"),
        )
    )
    refresh_register.call()
    liga = people.person("32579104511", "LĪGA", "LIEPA")
    main_user = people.person("15038512346", "ANNA", "BĒRZIŅA")
    people.mandate(company, main_user, attorney_phone="+37125100002", attorney_email="anna@example.lv")
    assert (ContextKind.REPRESENTATIVE, company.pk) in [(c.kind, c.company_id) for c in contexts_of(liga)]

    export.write_text(_officers(_row("2", COMPANY, "Jānis Kalniņš", "120478-*****", "INDIVIDUALLY")))
    outcome = refresh_register.call()

    assert "1 removed" in outcome
    assert ContextKind.REPRESENTATIVE not in [c.kind for c in contexts_of(liga)]
    event = AuditEvent.objects.get(action="mandates:representative:removed")
    assert event.company_id == company.pk
    assert SmsMessage.objects.filter(to="+37125100002", text__contains="Līga Liepa").exists()
    assert [m.to for m in mail.outbox if "Līga Liepa" in m.body] == [["anna@example.lv"]]


def test_the_refresh_is_in_the_daily_schedule() -> None:
    assert "mandates.refresh_register" in [job.name for job in SCHEDULE]
