"""Daily work on powers of attorney, run by the task system (selfcare/schedule.py): expiry, and the refresh of the
company representatives from the Register of Enterprises: its web service when configured (full codes), else its
open-data export when that file is configured.

A representative the register no longer lists is removed (audited) and the company's main users are told.
Both are idempotent: expiring twice expires nothing more, and loading the same answer again changes nothing. A
service that does not answer changes nothing: the companies it failed for keep their representatives, the failure
is logged, and when it answered for none the task is tried again later (and the next day's run in any case).
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
from selfcare.mandates.register import Gone, LoadResult, load_from_service, load_officers
from selfcare.mandates.register_service import RegisterUnavailable, register_client
from selfcare.mandates.services import expire_mandates


@retrying_task(attempts=3, backoff=300)
def expire_mandates_task() -> int:
    return expire_mandates()


@retrying_task(attempts=3, backoff=600, retry_on=(OSError, RegisterUnavailable))
def refresh_register() -> str:
    return refresh_representatives()


def refresh_representatives() -> str:
    """Reload representatives from the web service (`COMPANY_REGISTER_URL`) or else `REGISTER_OFFICERS_FILE` (the
    operator's job fetches the export there); also `selfcare mandates refresh-register`."""
    client = register_client()
    if client is not None:
        with client:
            result = load_from_service(client)
        if result.failed and not result.companies:
            raise RegisterUnavailable(f"no answer for any of {len(result.failed)} companies; nothing changed")
        source = "register web service"
    elif settings.REGISTER_OFFICERS_FILE:
        result = load_officers(Path(settings.REGISTER_OFFICERS_FILE).read_bytes())
        source = "register export"
    else:
        return "neither COMPANY_REGISTER_URL nor REGISTER_OFFICERS_FILE configured"
    for gone in result.gone:
        tell_main_users(gone)
    return summary(result, source)


def summary(result: LoadResult, source: str) -> str:
    failed = f", {len(result.failed)} not answered (kept as they were)" if result.failed else ""
    return (
        f"{source}, {len(result.companies)} companies: {result.created} created, {result.updated} updated, "
        f"{result.removed} removed{failed}"
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
