"""The trusted eID methods, registered explicitly in one place (not by import side effects).

The login page lists exactly these; adding a method adds an entry here and its own start page, and touches
neither the login page nor the other methods.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


@dataclass(frozen=True, slots=True)
class MethodInfo:
    key: str  # recorded in authentication records and sessions: "smartid", "eparaksts-mobile", "swedbank", …
    label: str | StrPromise
    description: str | StrPromise
    start_url_name: str  # the page where a person starts this method


METHODS: tuple[MethodInfo, ...] = (
    MethodInfo(
        key="smartid",
        label="Smart-ID",
        description=_("Qualified Smart-ID: confirm in the Smart-ID app with your PIN1."),
        start_url_name="portal:login-smartid",
    ),
    MethodInfo(
        key="eparaksts-mobile",
        label="eParaksts Mobile",
        description=_("Confirm in the eParaksts mobile app on your phone."),
        start_url_name="portal:login-eparaksts-mobile",
    ),
    MethodInfo(
        key="eparaksts-card",
        label=_("eParaksts with an eID card"),
        description=_("Use your Latvian eID card or eParaksts card with a card reader and its PIN1."),
        start_url_name="portal:login-eparaksts-card",
    ),
    MethodInfo(
        key="eid-scan",
        label="eID Scan",
        description=_("Read your Latvian eID card with your phone (NFC) in the eParaksts mobile app."),
        start_url_name="portal:login-eid-scan",
    ),
    *(
        MethodInfo(
            key=key,
            label=label,
            description=format_lazy(_("Log in through your {bank} internet bank."), bank=label),
            start_url_name=f"portal:login-{key}",
        )
        for key, label in (("swedbank", "Swedbank"), ("seb", "SEB"), ("citadele", "Citadele"), ("luminor", "Luminor"))
    ),
    MethodInfo(
        key="eudi-wallet",
        label=_("EU Digital Identity Wallet"),
        description=_("Share your personal identification data from your European digital identity wallet."),
        start_url_name="portal:login-wallet",
    ),
)


def method_info(key: str) -> MethodInfo | None:
    return next((m for m in METHODS if m.key == key), None)


def method_label(key: str) -> str | StrPromise:
    return next((m.label for m in METHODS if m.key == key), key)
