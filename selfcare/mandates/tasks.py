"""Daily work on powers of attorney, run by the task system (selfcare/schedule.py): expiry, and the refresh of the
company representatives from the Register of Enterprises' export when its file is configured.

A representative the register no longer lists is removed (audited) and the company's main users are told.
Both are idempotent: expiring twice expires nothing more, and loading the same export again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from selfcare.background.mail import queue_email
from selfcare.background.tasks import retrying_task
from selfcare.binding.sms import queue_sms
from selfcare.mandates.models import Mandate
from selfcare.mandates.register import Gone, load_officers
from selfcare.mandates.services import expire_mandates


@retrying_task(attempts=3, backoff=300)
def expire_mandates_task() -> int:
    return expire_mandates()


@retrying_task(attempts=3, backoff=600, retry_on=(OSError,))
def refresh_register() -> str:
    """Reload representatives from `REGISTER_OFFICERS_FILE` (the operator's job fetches the export there)."""
    if not settings.REGISTER_OFFICERS_FILE:
        return "no REGISTER_OFFICERS_FILE configured"
    result = load_officers(Path(settings.REGISTER_OFFICERS_FILE).read_bytes())
    for gone in result.gone:
        tell_main_users(gone)
    return (
        f"{len(result.companies)} companies: {result.created} created, {result.updated} updated, "
        f"{result.removed} removed"
    )


def tell_main_users(gone: Gone) -> int:
    """SMS and e-mail to the company's main users (attorneys of mandates in force) that a representative is gone."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(
            "%(brand)s: %(name)s is no longer a representative of %(company)s in the Register of Enterprises and "
            "can no longer give or revoke main user rights in %(brand)s."
        ) % {"brand": settings.BRAND.name, "name": gone.name, "company": gone.company.name}
        subject = gettext("Representative removed: %(company)s") % {"company": gone.company.name}
    told = 0
    for mandate in Mandate.objects.in_force().filter(company=gone.company):
        if mandate.attorney_phone:
            queue_sms(mandate.attorney_phone, text)
        if mandate.attorney_email:
            queue_email(subject, text, [mandate.attorney_email], settings.DEFAULT_FROM_EMAIL)
        told += bool(mandate.attorney_phone or mandate.attorney_email)
    return told
