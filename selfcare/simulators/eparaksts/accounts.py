"""The people the simulator can authenticate: the demo persons, and one profile without a personal code."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from selfcare.demo.dataset import PERSONS


@dataclass(frozen=True)
class Account:
    key: str  # the value of the radio button on the authorize page
    given_name: str
    family_name: str
    personal_code: str  # DDMMYY-NNNNN; empty for the profile whose userinfo has no serial_number
    note: StrOrPromise = ""

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def serial_number(self) -> str:
        return f"PNOLV-{self.personal_code}" if self.personal_code else ""


def _display(code: str) -> str:
    digits = code.replace("-", "")
    return f"{digits[:6]}-{digits[6:]}"


ACCOUNTS: tuple[Account, ...] = (
    *(
        Account(p.personal_code.replace("-", ""), p.given_name, p.family_name, _display(p.personal_code), p.role)
        for p in PERSONS
        if p.code.country == "LV"  # eParaksts is Latvian: the demo's Estonian and Lithuanian persons use Smart-ID
    ),
    # The platform answering without serial_number: the portal must refuse, never fall back to `sub`.
    Account("broken-profile", "Bojāts", "Profils", "", _("broken profile: no serial_number in userinfo")),
)

_BY_KEY = {account.key: account for account in ACCOUNTS}


def find(key: str) -> Account | None:
    return _BY_KEY.get(key)
