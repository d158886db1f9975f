"""Every allowed step of a power of attorney, every refused one, its history and its audit trail."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from selfcare.access.contexts import contexts_of
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.binding.models import SmsMessage
from selfcare.customers.tests import factories
from selfcare.mandates import services
from selfcare.mandates.documents import document_attach
from selfcare.mandates.models import Actor, DocumentChannel, Mandate, MandateScope, MandateStatus
from selfcare.mandates.tests import builders

pytestmark = pytest.mark.django_db
S = MandateStatus


def _actions(mandate: Mandate) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="mandates.mandate", object_id=str(mandate.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _submitted(company: object = None, **overrides: object) -> Mandate:
    company = company or factories.company()
    mandate = builders.draft(company, **overrides)  # type: ignore[arg-type]
    document_attach(
        request=builders.request(),
        mandate=mandate,
        data=builders.MINIMAL_PDF,
        original_name="signed.pdf",
        channel=DocumentChannel.PORTAL,
        by=services.SYSTEM,
        context=None,
        report=builders.report(mandate),
    )
    mandate.refresh_from_db()
    return mandate


def test_a_new_power_of_attorney_is_a_draft_with_its_creation_in_history_and_audit() -> None:
    mandate = builders.draft(factories.company())
    assert mandate.status == S.DRAFT
    assert [e.action for e in mandate.events.all()] == ["created"]
    assert _actions(mandate) == ["mandates:mandate:created"]


def test_attaching_a_document_submits_the_draft_and_records_both_steps() -> None:
    mandate = _submitted()
    assert mandate.status == S.SUBMITTED
    assert [(e.action, e.from_status, e.to_status) for e in mandate.events.all()] == [
        ("created", "", ""),
        ("document_added", "", ""),
        ("submitted", S.DRAFT, S.SUBMITTED),
    ]
    assert _actions(mandate)[-2:] == ["mandates:mandate:document_added", "mandates:mandate:submitted"]


def test_a_draft_cannot_be_submitted_without_a_document() -> None:
    mandate = builders.draft(factories.company())
    with pytest.raises(ValidationError) as raised:
        services.mandate_submit(request=None, mandate=mandate, by=services.SYSTEM, context=None)
    assert raised.value.code == "mandate_no_document"


def test_staff_activate_a_submitted_mandate_and_the_attorney_is_told_by_sms_and_email(
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    mandate = _submitted()
    staff = builders.staff()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.mandate_activate(
            request=builders.request(), mandate=mandate, by=services.By(staff=staff), reason="checked by hand"
        )
    assert mandate.status == S.ACTIVE
    event = mandate.events.last()
    assert event is not None
    assert (event.action, event.actor, event.staff, event.reason) == (
        "activated",
        Actor.STAFF,
        staff,
        "checked by hand",
    )
    assert _actions(mandate)[-1] == "mandates:mandate:activated"
    sms = SmsMessage.objects.get()
    assert sms.to == "+37125500001"
    assert mandate.company.name in sms.text
    assert mail.outbox[0].to == ["peteris@example.lv"]


def test_an_unverified_mandate_is_activated_only_with_a_reason() -> None:
    mandate = _submitted()
    assert not mandate.verified
    with pytest.raises(ValidationError):
        services.mandate_activate(request=None, mandate=mandate, by=services.By(staff=builders.staff()))
    mandate.refresh_from_db()
    assert mandate.status == S.SUBMITTED


def test_staff_reject_a_submitted_mandate_with_a_reason_only() -> None:
    mandate = _submitted()
    with pytest.raises(ValidationError):
        services.mandate_reject(request=None, mandate=mandate, by=services.SYSTEM, reason=" ")
    services.mandate_reject(
        request=builders.request(), mandate=mandate, by=services.By(staff=builders.staff()), reason="not signed"
    )
    assert mandate.status == S.REJECTED
    assert mandate.status_reason == "not signed"
    assert _actions(mandate)[-1] == "mandates:mandate:rejected"


def test_a_representative_revokes_an_active_mandate_and_the_attorney_loses_the_company_at_once() -> None:
    company = factories.company()
    attorney = people.person("22079018761", "PĒTERIS", "OZOLS")
    mandate = _submitted(company)
    services.mandate_activate(request=None, mandate=mandate, by=services.SYSTEM, reason="ok")
    assert [c.company_id for c in contexts_of(attorney)] == [company.pk]
    board = people.person("32579104511", "LĪGA", "LIEPA")
    services.mandate_revoke(
        request=builders.request(), mandate=mandate, by=services.By(identity=board), reason="left the company"
    )
    assert mandate.status == S.REVOKED
    assert contexts_of(attorney) == []
    event = mandate.events.last()
    assert event is not None
    assert (event.actor, event.identity) == (Actor.PERSON, board)
    assert _actions(mandate)[-1] == "mandates:mandate:revoked"


ALL = list(S)
ALLOWED = {(a, b) for a, targets in services.TRANSITIONS.items() for b in targets}


@pytest.mark.parametrize(
    ("current", "wanted"), [(a, b) for a, b in itertools.product(ALL, ALL) if (a, b) not in ALLOWED]
)
def test_every_step_not_in_the_table_is_refused_and_changes_nothing(current: str, wanted: str) -> None:
    mandate = builders.draft(factories.company())
    Mandate.objects.filter(pk=mandate.pk).update(status=current)
    mandate.refresh_from_db()
    with pytest.raises(services.IllegalTransition) as raised:
        services._transition(request=None, mandate=mandate, to=wanted, action="x", by=services.SYSTEM, context=None)
    assert raised.value.code == "mandate_illegal_transition"
    mandate.refresh_from_db()
    assert mandate.status == current
    assert mandate.events.count() == 1  # only "created"


def test_the_table_allows_exactly_the_documented_steps() -> None:
    assert sorted(ALLOWED) == sorted(
        [
            (S.DRAFT, S.SUBMITTED),
            (S.SUBMITTED, S.ACTIVE),
            (S.SUBMITTED, S.REJECTED),
            (S.ACTIVE, S.EXPIRED),
            (S.ACTIVE, S.REVOKED),
        ]
    )


def test_the_term_may_not_exceed_the_configured_maximum(settings: object) -> None:
    today = timezone.localdate()
    company = factories.company()
    builders.draft(company, valid_until=services.add_months(today, 12))
    with pytest.raises(ValidationError) as raised:
        builders.draft(company, valid_until=services.add_months(today, 12) + datetime.timedelta(days=1))
    assert "12" in raised.value.message_dict["valid_until"][0]
    settings.MANDATE_MAX_TERM_MONTHS = 3  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        builders.draft(company, valid_until=services.add_months(today, 4))


def test_a_start_in_the_past_or_an_end_before_the_start_is_refused() -> None:
    today = timezone.localdate()
    company = factories.company()
    with pytest.raises(ValidationError):
        builders.draft(company, valid_from=today - datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        builders.draft(company, valid_until=today - datetime.timedelta(days=1))
    assert not Mandate.objects.exists()


def test_selected_scope_needs_connections_of_the_company_itself() -> None:
    company, other = factories.company(), factories.company()
    foreign = factories.connection(account=factories.business_account(company=other))
    with pytest.raises(ValidationError):
        builders.draft(company, scope=MandateScope.SELECTED, connections=[foreign])
    own = factories.connection(account=factories.business_account(company=company))
    mandate = builders.draft(company, scope=MandateScope.SELECTED, connections=[own, foreign])
    assert list(mandate.connections.all()) == [own]


def test_add_months_keeps_the_day_or_takes_the_last_of_a_short_month() -> None:
    assert services.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert services.add_months(datetime.date(2026, 3, 15), 12) == datetime.date(2027, 3, 15)


def test_the_daily_task_expires_mandates_past_their_last_day_only_and_audits_each() -> None:
    company = factories.company()
    attorney = people.person("22079018761")
    today = timezone.localdate()
    ended = people.mandate(company, attorney, valid_until=today - datetime.timedelta(days=1))
    last_day = people.mandate(company, attorney, valid_until=today)
    submitted = _submitted(company)
    call_command("mandates", "expire")
    for mandate in (ended, last_day, submitted):
        mandate.refresh_from_db()
    assert (ended.status, last_day.status, submitted.status) == (S.EXPIRED, S.ACTIVE, S.SUBMITTED)
    event = ended.events.get()
    assert (event.action, event.actor, event.from_status) == ("expired", Actor.SYSTEM, S.ACTIVE)
    audit = AuditEvent.objects.get(action="mandates:mandate:expired")
    assert (audit.object_id, audit.identity, audit.ip_address) == (str(ended.pk), None, None)
    assert services.expire_mandates() == 0  # a second run finds nothing to do


def test_auto_activation_of_a_verified_portal_submission_only_when_configured(settings: object) -> None:
    company = factories.company()
    builders.representative(company, "Līga Liepa", "32579104511")
    signed_by_board = builders.signer("LĪGA LIEPA", "32579104511")

    def submit() -> Mandate:
        mandate = builders.draft(company)
        document_attach(
            request=None,
            mandate=mandate,
            data=builders.MINIMAL_PDF,
            original_name="a.pdf",
            channel=DocumentChannel.PORTAL,
            by=services.SYSTEM,
            context=None,
            report=builders.report(mandate, signed_by_board),
        )
        mandate.refresh_from_db()
        return mandate

    manual = submit()
    assert (manual.status, manual.verified) == (S.SUBMITTED, True)
    settings.MANDATE_AUTO_ACTIVATE_VERIFIED = True  # type: ignore[attr-defined]
    automatic = submit()
    assert automatic.status == S.ACTIVE
    assert automatic.events.last().actor == Actor.SYSTEM  # type: ignore[union-attr]
