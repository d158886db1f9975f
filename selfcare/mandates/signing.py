"""Powers of attorney signed in the portal: a representative signs with their eID where they stand; joint
representatives add their signatures to the same document until the register's rule is met.

- :func:`signing_start` checks that the person is one of the company's representatives (the register's data, see
  :mod:`.representatives`) who has not signed the current document yet, and starts the signing of that document:
  the prefilled form for the first signer, the document the previous signers signed for the next ones.
- :func:`signing_complete` takes the signed PDF and keeps it like an upload (:func:`.documents.document_attach`):
  the same validator, the same "verified" decision (enough representatives signed), the same activation (at once
  when ``MANDATE_AUTO_ACTIVATE_VERIFIED``, else by the back office), the same notice to the attorney. A document
  that changed since the person started signing (another signature was added meanwhile, or the stored file is not
  what was kept) is refused, so no signature is ever added to bytes the signer was not shown.
- While signatures are missing, the other joint representatives who use the portal are told (SMS to their bound or
  private number, e-mail to their notification address) and see the mandate under "waiting for your signature"
  (:func:`awaiting_signature`). Representatives the portal cannot tell (never logged in, or no number or address)
  are listed for those who signed (:func:`uninvited_cosigners`), who may give a number or address for an
  invitation (:func:`invite_cosigner`).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext

from selfcare.access.contexts import Context, person_codes
from selfcare.background.mail import queue_email
from selfcare.binding.sms import queue_sms
from selfcare.errors import MESSAGES, ErrorCode
from selfcare.identifiers import PersonalCode
from selfcare.identity.models import DigitalIdentity, NationalIdentifier
from selfcare.mandates import services
from selfcare.mandates.documents import NOT_REPRESENTATIVES, document_attach, read
from selfcare.mandates.form import render_form
from selfcare.mandates.models import (
    DocumentChannel,
    Mandate,
    MandateDocument,
    MandateStatus,
    Representation,
    Representative,
)
from selfcare.mandates.representatives import companies_represented, matching, name_key
from selfcare.security.devices import notification_number
from selfcare.security.models import NotificationContact
from selfcare.signing import flow

SIGNABLE = (MandateStatus.DRAFT, MandateStatus.SUBMITTED)
# Login methods after which eParaksts is the signing method offered first (the person has it at hand).
EPARAKSTS_LOGINS = ("eparaksts-mobile", "eparaksts-card", "eid-scan")


def _error(code: ErrorCode) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


def _codes(identity: DigitalIdentity) -> list[str]:
    return [code for country, code in person_codes(identity) if country == "LV"]


def current_document(mandate: Mandate) -> MandateDocument | None:
    """The latest document signed in the portal: the one the next signature goes on."""
    return mandate.documents.filter(channel=DocumentChannel.SIGNED).order_by("-uploaded_at", "-pk").first()


def signed_codes(document: MandateDocument | None) -> set[str]:
    """The personal codes of the valid signatures on a kept document (from its validation report)."""
    if document is None:
        return set()
    signers = document.report.get("signers", []) if isinstance(document.report, dict) else []
    return {
        str(s["personal_code"]) for s in signers if isinstance(s, dict) and s.get("valid") and s.get("personal_code")
    }


def document_to_sign(mandate: Mandate) -> bytes:
    """The current signed document, or the prefilled form when nobody signed in the portal yet.

    Refuses (``MANDATE_DOCUMENT_CHANGED``) a stored file whose bytes are not those received: it was changed on disk.
    """
    document = current_document(mandate)
    if document is None:
        return render_form(mandate, settings.LANGUAGE_CODE)
    if not _intact(document):
        raise _error(ErrorCode.MANDATE_DOCUMENT_CHANGED)
    return read(document)


def _intact(document: MandateDocument) -> bool:
    return hashlib.sha256(read(document)).hexdigest() == document.sha256


def is_representative(mandate: Mandate, identity: DigitalIdentity) -> bool:
    return bool(matching(mandate.company.representatives.all(), _codes(identity), identity.full_name))


def may_sign(mandate: Mandate, identity: DigitalIdentity) -> bool:
    """A representative may sign a mandate not yet verified, once (their code not on the current document)."""
    if mandate.status not in SIGNABLE or mandate.verified or not is_representative(mandate, identity):
        return False
    return not set(_codes(identity)) & signed_codes(current_document(mandate))


def waiting_for_others(document: MandateDocument) -> bool:
    """A portal-signed document whose signatures are valid but not yet enough for the register's rule."""
    return (
        document.channel == DocumentChannel.SIGNED
        and document.signatures_valid
        and document.problems == [NOT_REPRESENTATIVES]
    )


def signing_methods(identity: DigitalIdentity, *, logged_in_with: str = "") -> list[str]:
    """The signing methods offered to this person, the one to preselect first: the method they logged in with when
    it can sign (eParaksts for its login methods), else Smart-ID. eParaksts signs for Latvian codes only, and
    outside the demo only once its signing callback is registered (``EPARAKSTS_SIGN_REDIRECT_URI``)."""
    methods = [flow.SMARTID]
    eparaksts_ready = settings.SELFCARE_DEMO or bool(settings.EPARAKSTS_SIGN_REDIRECT_URI)
    if eparaksts_ready and _codes(identity):
        methods.append(flow.EPARAKSTS)
    if logged_in_with in EPARAKSTS_LOGINS and flow.EPARAKSTS in methods:
        methods.reverse()
    return methods


def _display_text(mandate: Mandate) -> str:
    # Shown in the Smart-ID app (at most 60 characters): what is being signed, in the form's language.
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Power of attorney for %(name)s") % {"name": mandate.attorney_name}


def signing_start(
    *,
    request: HttpRequest | None,
    mandate: Mandate,
    identity: DigitalIdentity,
    context: Context | None,
    method: str = "smartid",
    redirect_uri: str = "",
    language: str = "lv",
    device_link: bool = False,
    callback_url: str = "",
) -> flow.Signing:
    """Start signing the mandate's current document as ``identity`` (see the module docstring); eParaksts needs
    the portal's callback URL (``redirect_uri``) and the language of the platform's pages; a Smart-ID device link
    (``device_link``) may also open on the person's phone, which returns to ``callback_url``."""
    if not is_representative(mandate, identity):
        raise _error(ErrorCode.MANDATE_NOT_A_SIGNER)
    if not may_sign(mandate, identity):
        raise _error(ErrorCode.MANDATE_ALREADY_SIGNED)
    pdf = document_to_sign(mandate)
    code = identity.identifiers.filter(country="LV", superseded_at__isnull=True).values_list("code", flat=True).first()
    if code is None:
        raise _error(ErrorCode.MANDATE_NOT_A_SIGNER)
    signing = flow.start(
        pdf=pdf,
        code=PersonalCode.parse(code),
        method=method,
        display_text=_display_text(mandate),
        reason=f"{mandate.reference}",
        redirect_uri=redirect_uri,
        language=language,
        device_link=device_link,
        callback_url=callback_url,
    )
    services.note(
        request=request, mandate=mandate, action="signing_started", by=services.By(identity=identity), context=context
    )
    return signing


def signing_complete(
    *,
    request: HttpRequest | None,
    mandate: Mandate,
    identity: DigitalIdentity,
    signing: flow.Signing,
    signed_pdf: bytes,
    context: Context | None,
) -> MandateDocument:
    """Keep the signed PDF as the mandate's current document; see the module docstring."""
    by = services.By(identity=identity)
    with transaction.atomic():
        # One signer at a time: a second signer finishing at the same moment finds the document changed.
        mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
        # The first signature goes on the form (rendered afresh each time, so not comparable by bytes: the
        # validator checks it carries this mandate's reference); every later one on the current document as kept.
        current = current_document(mandate)
        if current is not None and (current.sha256 != signing.base_sha256 or not _intact(current)):
            raise _error(ErrorCode.MANDATE_DOCUMENT_CHANGED)
        document = document_attach(
            request=request,
            mandate=mandate,
            data=signed_pdf,
            original_name=f"pilnvara-{mandate.reference}.pdf",
            channel=DocumentChannel.SIGNED,
            by=by,
            context=context,
        )
    mandate.refresh_from_db()
    if waiting_for_others(document):
        told = tell_cosigners(mandate, signed_codes(document))
        services.note(
            request=request, mandate=mandate, action="cosigners_told", by=by, context=context, reason=str(told)
        )
    return document


def _cosigners(mandate: Mandate, signed: set[str]) -> list[DigitalIdentity]:
    """The identities in the portal of the company's joint representatives who have not signed yet."""
    found: dict[object, DigitalIdentity] = {}
    for representative in mandate.company.representatives.filter(representation=Representation.JOINT):
        if representative.personal_code:
            identifiers = NationalIdentifier.objects.filter(country="LV", code=representative.personal_code)
        else:
            identifiers = NationalIdentifier.objects.filter(country="LV", code__startswith=representative.code_prefix)
        for identifier in identifiers.select_related("identity"):
            person = identifier.identity
            exact = bool(representative.personal_code)
            if (exact or name_key(person.full_name) == name_key(representative.name)) and identifier.code not in signed:
                found.setdefault(person.pk, person)
    return [p for p in found.values() if not set(_codes(p)) & signed]


def _has_signed(representative: Representative, signed: set[str]) -> bool:
    if representative.personal_code:
        return representative.personal_code in signed
    return any(code.startswith(representative.code_prefix) for code in signed)


def _reachable(representative: Representative) -> bool:
    """Whether the portal knows how to tell this representative: a person in the portal matching them with a
    number or an e-mail address on file."""
    for person in _cosigners_of(representative):
        if notification_number(person) or NotificationContact.objects.filter(identity=person).exists():
            return True
    return False


def _cosigners_of(representative: Representative) -> list[DigitalIdentity]:
    if representative.personal_code:
        identifiers = NationalIdentifier.objects.filter(country="LV", code=representative.personal_code)
    else:
        identifiers = NationalIdentifier.objects.filter(country="LV", code__startswith=representative.code_prefix)
    return [
        i.identity
        for i in identifiers.select_related("identity")
        if representative.personal_code or name_key(i.identity.full_name) == name_key(representative.name)
    ]


def uninvited_cosigners(mandate: Mandate) -> list[Representative]:
    """Joint representatives who still have to sign the current document and whom the portal cannot tell: a signer
    may give their number or e-mail address for an invitation (:func:`invite_cosigner`)."""
    document = current_document(mandate)
    if document is None or not waiting_for_others(document):
        return []
    signed = signed_codes(document)
    joint = mandate.company.representatives.filter(representation=Representation.JOINT).order_by("name", "pk")
    return [r for r in joint if not _has_signed(r, signed) and not _reachable(r)]


def may_invite(mandate: Mandate, identity: DigitalIdentity) -> bool:
    """Only someone whose signature is on the current document invites the others (SMS costs money, API4)."""
    return bool(set(_codes(identity)) & signed_codes(current_document(mandate)))


def invite_cosigner(
    *,
    request: HttpRequest | None,
    mandate: Mandate,
    representative: Representative,
    phone: str,
    email: str,
    identity: DigitalIdentity,
    context: Context | None,
) -> None:
    """Send the invitation to sign to the number and/or address a signer gave for ``representative``."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(
            "%(brand)s: %(signer)s asks you to sign the power of attorney of %(company)s for %(attorney)s. "
            "Log in with your eID and sign it under Powers of attorney."
        ) % {
            "brand": settings.BRAND.name,
            "signer": identity.full_name,
            "company": mandate.company.name,
            "attorney": mandate.attorney_name,
        }
        subject = gettext("Waiting for your signature: %(company)s") % {"company": mandate.company.name}
    if phone:
        queue_sms(phone, text)
    if email:
        queue_email(subject, text, [email], settings.DEFAULT_FROM_EMAIL)
    services.note(
        request=request,
        mandate=mandate,
        action="cosigners_told",
        by=services.By(identity=identity),
        context=context,
        reason=representative.name,
    )


def tell_cosigners(mandate: Mandate, signed: set[str]) -> int:
    """SMS and e-mail to the joint representatives who still have to sign; returns how many people were told."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(
            "%(brand)s: the power of attorney of %(company)s for %(attorney)s waits for your signature. "
            "Log in and sign it under Powers of attorney."
        ) % {"brand": settings.BRAND.name, "company": mandate.company.name, "attorney": mandate.attorney_name}
        subject = gettext("Waiting for your signature: %(company)s") % {"company": mandate.company.name}
    told = 0
    for person in _cosigners(mandate, signed):
        number = notification_number(person)
        address = NotificationContact.objects.filter(identity=person).values_list("email", flat=True).first()
        if number:
            queue_sms(number, text)
        if address:
            queue_email(subject, text, [address], settings.DEFAULT_FROM_EMAIL)
        told += bool(number or address)
    return told


def awaiting_signature(identity: DigitalIdentity, represented: list[int] | None = None) -> list[Mandate]:
    """Powers of attorney of the companies this person represents that wait for their signature. `represented`:
    the ids of those companies when the caller has them from this request (the representative contexts of
    contexts_of, matched by the same rule), so that they are not read a second time."""
    companies = (
        [c.pk for c in companies_represented(_codes(identity), identity.full_name)]
        if represented is None
        else represented
    )
    if not companies:
        return []
    candidates = (
        Mandate.objects.filter(company__in=companies, status__in=SIGNABLE, verified=False)
        .filter(documents__channel=DocumentChannel.SIGNED)
        .select_related("company")
        .distinct()
        .order_by("-created_at", "-pk")
    )
    return [mandate for mandate in candidates if may_sign(mandate, identity)]
