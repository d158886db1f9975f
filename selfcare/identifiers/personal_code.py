"""National personal codes as one value type: (country, code), each country with its own rules.

Countries modelled: Latvia (default), Estonia and Lithuania — the three Smart-ID serves (``PNOLV``, ``PNOEE``,
``PNOLT``). A bare code is Latvian, so everything typed before other countries existed reads as it did.

Accepted input forms (spaces around are ignored, letters in any case):

- Latvian: ``PNOLV-010117-21239`` (certificates, eParaksts), ``LV 010117-21239``, ``010117-21239`` (Swedbank,
  people), ``010117 21239``, ``01011721239`` (Citadele); stored as 11 digits, never a hyphen;
- Estonian isikukood and Lithuanian asmens kodas: ``PNOEE-38001085718``, ``EE 38001085718``, ``EE38001085718``
  (and the same with LT); 11 digits, stored as they are.

Latvian rules (PROTOCOLS.md §4.1): old codes, issued until 2017-06-30, are DDMMYY-CNNNZ, where C is the century
(0 = 1800s, 1 = 1900s, 2 = 2000s) and Z a check digit; new codes, since 2017-07-01, are 3, then 2–9, then nine
random digits, with no documented checksum, so none is enforced. python-stdnum's `lv.pvn.validate` does enforce
one on new codes, which is why the Latvian format rules are written here and only its check-digit and birth-date
helpers are reused. Estonian and Lithuanian codes (GYYMMDDSSSC: century and sex, birth date, serial, check
digit) follow python-stdnum's `ee.ik` and `lt.asmens`, which implement their two-pass check digit.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.ee import ik
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.lt import asmens
from stdnum.lv import pvn

from selfcare.errors import MESSAGES, ErrorCode

DEFAULT_COUNTRY = "LV"
# The countries whose personal codes make an identity, in the order forms list them.
COUNTRIES: tuple[str, ...] = ("LV", "EE", "LT")

# Shown under every field where a personal code is typed: a bare code is Latvian.
TYPING_HELP = _("An Estonian or Lithuanian code: write EE or LT first, for example EE 38001085718.")

_INPUT = re.compile(r"^(?:PNO(?P<etsi>[A-Z]{2})-|(?P<prefix>[A-Z]{2})[\s-]?)?(?P<number>\d[\d\s-]*\d)$")
_LV_NUMBER = re.compile(r"^(?P<first>\d{6})[-\s]?(?P<last>\d{5})$")
_LV_NEW_FORMAT = re.compile(r"^3[2-9]\d{9}$")
_BALTIC_NUMBER = re.compile(r"^\d{11}$")


def _error(code: ErrorCode) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code.value)


def _latvian(number: str) -> str:
    match = _LV_NUMBER.match(number)
    if not match:
        raise _error(ErrorCode.PERSONAL_CODE_FORMAT)
    code = match["first"] + match["last"]
    if _LV_NEW_FORMAT.match(code):
        return code
    if code[6] not in "012":
        raise _error(ErrorCode.PERSONAL_CODE_DATE)
    try:
        pvn.get_birth_date(code)
    except InvalidComponent:
        raise _error(ErrorCode.PERSONAL_CODE_DATE) from None
    if pvn.calc_check_digit_pers(code[:10]) != code[10]:
        raise _error(ErrorCode.PERSONAL_CODE_CHECKSUM)
    return code


def _with_stdnum(validate: Callable[[str], str]) -> Callable[[str], str]:
    """An Estonian or Lithuanian rule: 11 digits, then python-stdnum's date and check-digit rules."""

    def check(number: str) -> str:
        if not _BALTIC_NUMBER.match(number):
            raise _error(ErrorCode.PERSONAL_CODE_FORMAT)
        try:
            return validate(number)
        except InvalidChecksum:
            raise _error(ErrorCode.PERSONAL_CODE_CHECKSUM) from None
        except InvalidComponent:
            raise _error(ErrorCode.PERSONAL_CODE_BALTIC_DATE) from None
        except StdnumError:
            raise _error(ErrorCode.PERSONAL_CODE_FORMAT) from None

    return check


_RULES: dict[str, Callable[[str], str]] = {
    "LV": _latvian,
    "EE": _with_stdnum(ik.validate),
    "LT": _with_stdnum(asmens.validate),
}


@dataclass(frozen=True, slots=True, order=True)
class PersonalCode:
    """A validated national personal code: the country (ISO 3166 alpha-2) and its 11 digits, never a hyphen."""

    country: str
    code: str

    @classmethod
    def parse(cls, text: str, *, country: str | None = None) -> PersonalCode:
        """Parse a code as typed or as a certificate states it; ``country`` is the one chosen beside the field.

        A country written in the text (``EE 380…``, ``PNOEE-380…``) must agree with ``country`` when both are
        given; with neither, the code is Latvian.
        """
        match = _INPUT.match(text.strip().upper())
        if not match:
            raise _error(ErrorCode.PERSONAL_CODE_FORMAT)
        written = match["etsi"] or match["prefix"]
        if written and country and written != country.upper():
            raise _error(ErrorCode.PERSONAL_CODE_COUNTRY)
        chosen = written or (country.upper() if country else DEFAULT_COUNTRY)
        rule = _RULES.get(chosen)
        if rule is None:
            raise _error(ErrorCode.PERSONAL_CODE_COUNTRY)
        return cls(chosen, rule(match["number"]))

    @classmethod
    def digits(cls, text: str) -> str:
        """The stored digits of a code valid in any modelled country, for a field whose country is a sibling column.

        A bare code is tried as Latvian first (so Latvian errors are the ones shown), then as the other countries'.
        """
        try:
            return cls.parse(text).code
        except ValidationError as latvian_error:
            for other in COUNTRIES[1:]:
                try:
                    return cls.parse(text, country=other).code
                except ValidationError:
                    continue
            raise latvian_error from None

    @property
    def is_new_format(self) -> bool:
        """A Latvian code of the random format issued since 2017-07-01 (the only kind a code can change to)."""
        return self.country == "LV" and bool(_LV_NEW_FORMAT.match(self.code))

    @property
    def birth_date(self) -> datetime.date | None:
        """The birth date the code carries; Latvian new-format codes (and Lithuanian 9… codes) carry none."""
        if self.country == "LV":
            return None if self.is_new_format else pvn.get_birth_date(self.code)
        try:
            date: datetime.date = (ik if self.country == "EE" else asmens).get_birth_date(self.code)
        except InvalidComponent:
            return None
        return date

    @property
    def number(self) -> str:
        """The number as people of its country write it: 010117-21234 (Latvian), 38001085718 (others)."""
        return f"{self.code[:6]}-{self.code[6:]}" if self.country == "LV" else self.code

    @property
    def display(self) -> str:
        """What pages show: a Latvian code as people write it, another country's with that country before it
        (EE 38001085718), so nobody reads an Estonian code as a Latvian one."""
        return self.number if self.country == DEFAULT_COUNTRY else f"{self.country} {self.number}"

    @property
    def etsi(self) -> str:
        """The ETSI semantics identifier used by Smart-ID and in certificates: PNOLV-010117-21234, PNOEE-38001085718."""
        return f"PNO{self.country}-{self.number}"

    def __str__(self) -> str:
        return self.display


def display_code(country: str, code: str) -> str:
    """A stored (country, code) pair as pages show it; a pair that no longer parses is shown as stored."""
    try:
        return PersonalCode.parse(code, country=country or DEFAULT_COUNTRY).display
    except ValidationError:
        return f"{country} {code}".strip()
