"""The Register of Enterprises' full-code web service: its client against the simulator over real HTTP (the
simulator service's live server), and the daily refresh that uses it when it is configured."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from selfcare.access.contexts import ContextKind, contexts_of
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.background.tasks import RetryScheduled
from selfcare.binding.models import SmsMessage
from selfcare.customers.tests import factories
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates.models import Representation, Representative, RepresentativeSource
from selfcare.mandates.register_service import (
    DEMO_PATH,
    RegisterUnavailable,
    register_client,
    register_service_config,
)
from selfcare.mandates.representatives import SignerIdentity, binds_company
from selfcare.mandates.tasks import refresh_register, refresh_representatives
from selfcare.mandates.tests import builders
from selfcare.simulators.register import officers as simulated
from selfcare.simulators.register.officers import SimOfficer

# The simulator answers from its own thread; the rows the refresh writes are read back here, and on PostgreSQL only
# committed rows are shared between the two, as in the demo's two processes.
pytestmark = pytest.mark.django_db(transaction=True)

KAFIJA = "40103444454"  # SIA Rīgas Kafija in the demo: Jānis Kalniņš represents it alone
COMPANY = "40003111115"
UNKNOWN = "40003555556"  # neither a demo company nor listed by a test: the simulated register does not know it


@pytest.fixture
def service(settings: Any, simulators_url: str) -> str:
    """The portal configured to ask the register's simulator, as `make run` configures the demo."""
    settings.COMPANY_REGISTER_URL = f"{simulators_url}{DEMO_PATH}"
    return str(settings.COMPANY_REGISTER_URL)


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[SimOfficer]]:
    """What the simulated register lists for a registration number, changed by the test while it runs."""
    listed: dict[str, list[SimOfficer]] = {}
    monkeypatch.setattr(simulated, "changes", listed)
    return listed


def _contexts(identity: DigitalIdentity) -> list[tuple[str, int | None]]:
    return [(c.kind, c.company_id) for c in contexts_of(identity)]


def test_the_client_reads_a_demo_companys_board_member_with_the_full_personal_code(service: str) -> None:
    client = register_client()
    assert client is not None
    with client:
        [janis] = client.officers(KAFIJA)
    assert (janis.name, janis.personal_code, janis.rights) == ("Jānis Kalniņš", "12047811230", "INDIVIDUALLY")
    assert janis.registered_on is not None


def test_an_unknown_company_or_a_wrong_key_or_no_answer_is_unavailable_not_an_empty_list(
    service: str, settings: Any
) -> None:
    def officers(number: str) -> None:
        client = register_client()
        assert client is not None
        with client:
            client.officers(number)

    with pytest.raises(RegisterUnavailable):
        officers("49999999999")
    settings.COMPANY_REGISTER_API_KEY = "not-the-key"
    with pytest.raises(RegisterUnavailable):
        officers(KAFIJA)
    settings.COMPANY_REGISTER_URL = "http://127.0.0.1:9/"  # nothing listens on the discard port
    with pytest.raises(RegisterUnavailable):
        officers(KAFIJA)


def test_without_a_url_the_service_is_not_used_and_outside_the_demo_it_needs_https_and_a_key_of_its_own(
    settings: Any,
) -> None:
    settings.COMPANY_REGISTER_URL = ""
    assert register_client() is None
    settings.SELFCARE_DEMO = False
    settings.COMPANY_REGISTER_URL = "http://register.example/api/"
    with pytest.raises(ImproperlyConfigured, match=r"https.*\n.*COMPANY_REGISTER_API_KEY"):
        register_service_config()
    settings.COMPANY_REGISTER_URL = "https://register.example/api/"
    settings.COMPANY_REGISTER_API_KEY = "issued-by-the-register"
    assert register_client() is not None


def test_the_refresh_removes_who_left_adds_who_joined_and_tells_the_main_users(
    service: str, register: dict[str, list[SimOfficer]]
) -> None:
    company = factories.company(name="SIA Alfa", registration_number=COMPANY)
    register[COMPANY] = [
        SimOfficer("u-1", "Līga Liepa", "325791-04511"),
        SimOfficer("u-2", "Jānis Kalniņš", "120478-11230"),
    ]
    refresh_representatives()
    liga = people.person("32579104511", "LĪGA", "LIEPA")
    ilze = people.person("32112233445", "ILZE", "SPROĢE")
    main_user = people.person("15038512346", "ANNA", "BĒRZIŅA")
    people.mandate(company, main_user, attorney_phone="+37125100002", attorney_email="anna@example.lv")
    assert (ContextKind.REPRESENTATIVE, company.pk) in _contexts(liga)
    assert Representative.objects.get(name="Līga Liepa").personal_code == "32579104511"

    register[COMPANY] = [
        SimOfficer("u-2", "Jānis Kalniņš", "120478-11230"),
        SimOfficer("u-3", "Ilze Sproģe", "321122-33445"),
    ]
    outcome = refresh_representatives()

    assert outcome.endswith("1 created, 0 updated, 1 removed")
    assert ContextKind.REPRESENTATIVE not in [kind for kind, _ in _contexts(liga)]
    assert (ContextKind.REPRESENTATIVE, company.pk) in _contexts(ilze)
    event = AuditEvent.objects.get(action="mandates:representative:removed")
    assert event.company_id == company.pk
    assert SmsMessage.objects.filter(to="+37125100002", text__contains="Līga Liepa").exists()
    assert [m.to for m in mail.outbox if "Līga Liepa" in m.body] == [["anna@example.lv"]]
    assert refresh_representatives().endswith("0 created, 0 updated, 0 removed")  # the same answer changes nothing


def test_the_full_code_matches_exactly_a_namesake_with_the_same_six_digits_does_not(
    service: str, register: dict[str, list[SimOfficer]]
) -> None:
    company = factories.company(registration_number=COMPANY)
    register[COMPANY] = [SimOfficer("u-1", "Līga Liepa", "325791-04511")]
    refresh_representatives()
    namesake = people.person("32579104599", "LĪGA", "LIEPA")
    liga = people.person("32579104511", "LIGA", "LIEPA")  # transliterated by her eID: the code decides
    assert _contexts(namesake) == []
    assert _contexts(liga) == [(ContextKind.REPRESENTATIVE, company.pk)]
    assert not binds_company(company, [SignerIdentity("32579104599", "LĪGA LIEPA")])
    assert binds_company(company, [SignerIdentity("32579104511", "LĪGA LIEPA")])


def test_rights_of_representation_become_how_many_must_sign_and_officers_without_a_latvian_code_are_skipped(
    service: str, register: dict[str, list[SimOfficer]]
) -> None:
    company = factories.company(registration_number=COMPANY)
    other = factories.company(registration_number=UNKNOWN)
    register[COMPANY] = [
        SimOfficer("u-1", "Līga Liepa", "325791-04511", rights="INDIVIDUALLY"),
        SimOfficer("u-2", "Jānis Kalniņš", "120478-11230", rights="WITH_AT_LEAST", with_at_least=1),
        SimOfficer("u-3", "Kadri Tamm", None, rights="WITH_AT_LEAST", with_at_least=1),  # a foreigner
    ]
    register[other.registration_number] = [
        SimOfficer(f"w-{i}", name, code, rights="WITH_ALL")
        for i, (name, code) in enumerate(
            (("Anna Bērziņa", "150385-12346"), ("Pēteris Ozols", "220790-18761"), ("Jonas Kazlauskas", None))
        )
    ]
    refresh_representatives()
    rows = {r.name: (r.representation, r.signatures_required) for r in company.representatives.all()}
    assert rows == {"Līga Liepa": (Representation.SOLE, 1), "Jānis Kalniņš": (Representation.JOINT, 2)}
    # WITH_ALL: all three must sign, the Lithuanian too, though the portal cannot match him to an eID login
    assert set(other.representatives.values_list("representation", "signatures_required")) == {
        (Representation.JOINT, 3)
    }
    assert not binds_company(
        other, [SignerIdentity("15038512346", "ANNA BĒRZIŅA"), SignerIdentity("22079018761", "PĒTERIS OZOLS")]
    )
    janis = [SignerIdentity("12047811230", "JĀNIS KALNIŅŠ")]
    assert not binds_company(company, janis)
    assert binds_company(company, [*janis, SignerIdentity("32579104511", "LĪGA LIEPA")])


def test_a_company_the_service_cannot_answer_for_keeps_its_representatives(
    service: str, register: dict[str, list[SimOfficer]]
) -> None:
    answered = factories.company(registration_number=COMPANY)
    unanswered = factories.company(registration_number=UNKNOWN)  # the simulated register answers HTTP 404
    kept = builders.representative(unanswered, "Līga Liepa", "32579104511", source=RepresentativeSource.REGISTER)
    register[COMPANY] = [SimOfficer("u-2", "Jānis Kalniņš", "120478-11230")]

    outcome = refresh_representatives()

    assert "1 not answered (kept as they were)" in outcome
    assert list(unanswered.representatives.all()) == [kept]
    assert answered.representatives.get().personal_code == "12047811230"
    assert not AuditEvent.objects.filter(action="mandates:representative:removed").exists()


def test_a_service_that_answers_for_no_company_changes_nothing_and_the_task_is_tried_again(
    settings: Any,
) -> None:
    company = factories.company(registration_number=COMPANY)
    kept = builders.representative(company, "Līga Liepa", "32579104511", source=RepresentativeSource.REGISTER)
    settings.COMPANY_REGISTER_URL = "http://127.0.0.1:9/"
    with pytest.raises(RegisterUnavailable):
        refresh_representatives()
    with pytest.raises(RetryScheduled):
        refresh_register.call()  # the daily task enqueues its next attempt (and runs again the next day anyway)
    assert list(company.representatives.all()) == [kept]
    assert not AuditEvent.objects.filter(action="mandates:representative:removed").exists()
    assert not SmsMessage.objects.exists()


def test_switching_from_the_open_data_to_the_service_adds_the_full_code_without_removing_anybody(
    service: str, register: dict[str, list[SimOfficer]]
) -> None:
    company = factories.company(registration_number=COMPANY)
    masked = builders.representative(
        company, "Līga Liepa", "325791", source=RepresentativeSource.REGISTER, source_id="open-data-17"
    )
    register[COMPANY] = [SimOfficer("u-1", "Līga Liepa", "325791-04511")]

    outcome = refresh_representatives()

    assert "0 created, 1 updated, 0 removed" in outcome
    row = company.representatives.get()
    assert (row.pk, row.personal_code, row.source_id) == (masked.pk, "32579104511", "u-1")
    assert not SmsMessage.objects.exists()


def test_the_command_runs_the_refresh_now(service: str, capsys: pytest.CaptureFixture[str]) -> None:
    factories.company(name="SIA Rīgas Kafija", registration_number=KAFIJA)
    out = StringIO()
    call_command("mandates", "refresh-register", stdout=out)
    assert out.getvalue().startswith("register web service, 1 companies: 1 created")
