"""The PUK is shown only right after an eID login, to those who may see the connection, and audited."""

from __future__ import annotations

import pytest
from django.test import Client

from selfcare.audit.models import AuditEvent
from selfcare.channels.tests.oidc import eid_session
from selfcare.identity.models import DigitalIdentity
from selfcare.orders.tests.scene import scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmf")]


def _client(identity: DigitalIdentity, age: float) -> Client:
    client = Client()
    eid_session(client, identity, age=age)
    return client


def test_the_puk_is_shown_after_a_fresh_login_and_audited() -> None:
    world = scene()
    url = f"/en/acting/work-{world.work_number.account.company_id}/connections/{world.work_number.pk}/puk/"
    page = _client(world.employee, age=10).post(url).content.decode()
    assert 'data-testid="puk"' in page
    assert AuditEvent.objects.filter(action="orders:puk:view", object_id=str(world.work_number.pk)).exists()


def test_an_older_login_is_asked_to_confirm_with_eid_first() -> None:
    world = scene()
    url = f"/en/acting/private/connections/{world.private_number.pk}/puk/"
    page = _client(world.private, age=3600).post(url).content.decode()
    assert 'data-testid="puk-login"' in page
    assert 'data-testid="puk"' not in page
    assert not AuditEvent.objects.filter(action="orders:puk:view").exists()


def test_nobody_reads_the_puk_of_a_number_not_theirs() -> None:
    world = scene()
    company = world.work_number.account.company_id
    colleague = world.company_numbers[1].pk
    assert (
        _client(world.employee, 10).post(f"/en/acting/work-{company}/connections/{colleague}/puk/").status_code == 404
    )
    other = world.other_company_number.pk
    assert (
        _client(world.main_user, 10).post(f"/en/acting/company-{company}/connections/{other}/puk/").status_code == 404
    )
    assert (
        _client(world.stranger, 10).post(f"/en/acting/private/connections/{world.private_number.pk}/puk/").status_code
        == 404
    )
