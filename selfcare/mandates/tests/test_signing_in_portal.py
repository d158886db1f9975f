"""Powers of attorney signed in the portal with Smart-ID (through the simulator, production clients): a sole
representative's signature verifies and activates the mandate; joint representatives each add a signature to the
same document, the others are told and see it waiting, and the mandate activates when the register's rule is met.
Refused: a signer who is not a representative, a second signature by the same person, a document that changed
between the two signatures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from selfcare import storage
from selfcare.binding.models import SmsMessage
from selfcare.customers.models import Company
from selfcare.errors import ErrorCode
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.models import DigitalIdentity
from selfcare.identity.services import identity_for
from selfcare.mandates import signing as mandate_signing
from selfcare.mandates.documents import read, storage_name
from selfcare.mandates.models import DocumentChannel, Mandate, MandateStatus, Representation, Representative
from selfcare.mandates.services import By, mandate_create
from selfcare.mandates.signatures import validate_document
from selfcare.security.models import NotificationContact
from selfcare.signing import flow
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)

JANIS = ("12047811230", "Jānis", "Kalniņš")
ANNA = ("15038512346", "Anna", "Bērziņa")
LIGA = ("32579104511", "Līga", "Liepa")


@pytest.fixture(autouse=True)
def _media(settings: Any) -> None:
    settings.MANDATE_AUTO_ACTIVATE_VERIFIED = True


def _person(code: str, given: str, family: str) -> DigitalIdentity:
    return identity_for(VerifiedIdentity("smartid", "LV", code, given.upper(), family.upper(), "qualified", {}))


def _company(*representatives: tuple[str, str, str], joint: int = 0) -> Company:
    company = Company.objects.create(name="SIA Paraksts", registration_number="40103444454")
    for code, given, family in representatives:
        Representative.objects.create(
            company=company,
            name=f"{given} {family}",
            code_prefix=code[:6],
            representation=Representation.JOINT if joint else Representation.SOLE,
            signatures_required=joint or 1,
        )
    return company


def _mandate(company: Company, by: DigitalIdentity) -> Mandate:
    today = timezone.localdate()
    return mandate_create(
        request=None,
        by=By(identity=by),
        context=None,
        company=company,
        attorney_code="325791-04511",
        attorney_name="Līga Liepa",
        valid_from=today,
        valid_until=today.replace(year=today.year + 1) if today.month != 2 or today.day != 29 else today,
        attorney_phone="+37125100001",
    )


def _confirm_on_phone(code: str) -> None:
    phone = SimulatorsClient()
    html = phone.get(f"/simulators/smartid/phone/{code}/").content.decode()
    session_id = re.search(rf"/simulators/smartid/phone/{code}/([0-9a-f-]{{36}})/", html)
    assert session_id is not None, html
    phone.post(f"/simulators/smartid/phone/{code}/{session_id.group(1)}/", {"answer": "confirm"})


def _signed(mandate: Mandate, person: DigitalIdentity) -> tuple[flow.Signing, bytes]:
    signing = mandate_signing.signing_start(request=None, mandate=mandate, identity=person, context=None)
    for _ in range(10):
        if signing.stage == "signature":
            break
        assert flow.advance(signing, timeout_ms=0) is None
    _confirm_on_phone(person.identifiers.get().code)
    for _ in range(10):
        signed = flow.advance(signing, timeout_ms=0)
        if signed is not None:
            return signing, signed
    raise AssertionError("never signed")


def _sign(mandate: Mandate, person: DigitalIdentity) -> Mandate:
    signing, signed = _signed(mandate, person)
    mandate_signing.signing_complete(
        request=None, mandate=mandate, identity=person, signing=signing, signed_pdf=signed, context=None
    )
    mandate.refresh_from_db()
    return mandate


def test_a_sole_representative_signs_in_one_step_and_the_mandate_is_active_and_the_attorney_told() -> None:
    janis = _person(*JANIS)
    mandate = _mandate(_company(JANIS), janis)

    mandate = _sign(mandate, janis)

    assert (mandate.status, mandate.verified) == (MandateStatus.ACTIVE, True)
    document = mandate_signing.current_document(mandate)
    assert document is not None
    assert document.channel == DocumentChannel.SIGNED
    report = validate_document(read(document))
    assert report.valid
    assert str(mandate.reference).encode() in (report.signed_content or b"")
    assert SmsMessage.objects.get().to == "+37125100001"  # the attorney is told


def test_without_automatic_activation_a_signed_mandate_waits_verified_for_the_back_office(settings: Any) -> None:
    settings.MANDATE_AUTO_ACTIVATE_VERIFIED = False
    janis = _person(*JANIS)

    mandate = _sign(_mandate(_company(JANIS), janis), janis)

    assert (mandate.status, mandate.verified) == (MandateStatus.SUBMITTED, True)


def test_joint_representatives_each_add_a_signature_and_the_second_activates_it() -> None:
    janis, anna = _person(*JANIS), _person(*ANNA)
    NotificationContact.objects.create(identity=anna, email="anna@example.lv")
    mandate = _mandate(_company(JANIS, ANNA, joint=2), janis)

    mandate = _sign(mandate, janis)

    assert (mandate.status, mandate.verified) == (MandateStatus.SUBMITTED, False)
    assert mandate_signing.awaiting_signature(anna) == [mandate]
    assert mandate_signing.awaiting_signature(janis) == []
    assert mandate.events.filter(action="cosigners_told", reason="1").exists()
    assert [m.to for m in mail.outbox if "SIA Paraksts" in m.body] == [["anna@example.lv"]]

    mandate = _sign(mandate, anna)

    assert (mandate.status, mandate.verified) == (MandateStatus.ACTIVE, True)
    document = mandate_signing.current_document(mandate)
    assert document is not None
    assert mandate_signing.signed_codes(document) == {JANIS[0], ANNA[0]}
    assert mandate_signing.awaiting_signature(anna) == []


def test_a_person_who_is_not_a_representative_cannot_start_signing() -> None:
    janis, liga = _person(*JANIS), _person(*LIGA)
    mandate = _mandate(_company(JANIS), janis)

    with pytest.raises(ValidationError) as refused:
        mandate_signing.signing_start(request=None, mandate=mandate, identity=liga, context=None)

    assert refused.value.code == ErrorCode.MANDATE_NOT_A_SIGNER


def test_the_same_representative_cannot_sign_twice() -> None:
    janis, _anna = _person(*JANIS), _person(*ANNA)
    mandate = _sign(_mandate(_company(JANIS, ANNA, joint=2), janis), janis)

    with pytest.raises(ValidationError) as refused:
        mandate_signing.signing_start(request=None, mandate=mandate, identity=janis, context=None)

    assert refused.value.code == ErrorCode.MANDATE_ALREADY_SIGNED


def test_a_signature_made_on_a_document_that_changed_meanwhile_is_not_added() -> None:
    janis, anna, liga = _person(*JANIS), _person(*ANNA), _person(*LIGA)
    mandate = _mandate(_company(JANIS, ANNA, LIGA, joint=3), janis)
    mandate = _sign(mandate, janis)
    # Anna signs the document Jānis signed; before she is done, Līga adds her signature to it.
    signing, signed = _signed(mandate, anna)
    mandate = _sign(mandate, liga)

    with pytest.raises(ValidationError) as refused:
        mandate_signing.signing_complete(
            request=None, mandate=mandate, identity=anna, signing=signing, signed_pdf=signed, context=None
        )

    assert refused.value.code == ErrorCode.MANDATE_DOCUMENT_CHANGED
    assert mandate_signing.signed_codes(mandate_signing.current_document(mandate)) == {JANIS[0], LIGA[0]}


def test_a_stored_document_changed_after_the_first_signature_is_not_signed_again() -> None:
    janis, anna = _person(*JANIS), _person(*ANNA)
    mandate = _sign(_mandate(_company(JANIS, ANNA, joint=2), janis), janis)
    document = mandate_signing.current_document(mandate)
    assert document is not None
    name = storage_name(document.stored_name)
    changed = storage.read(name) + b"\n% changed after it was kept\n"
    storage.delete(name)
    storage.store(name, changed)

    with pytest.raises(ValidationError) as refused:
        mandate_signing.signing_start(request=None, mandate=mandate, identity=anna, context=None)

    assert refused.value.code == ErrorCode.MANDATE_DOCUMENT_CHANGED
