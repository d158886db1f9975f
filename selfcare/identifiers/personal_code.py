"""The Latvian personal code (personas kods) as a value type.

Accepted input forms, all normalised to 11 digits: `PNOLV-010117-21239` (certificates, eParaksts), `010117-21239`
(Swedbank, people), `010117 21239` (people), `01011721239` (Citadele), with surrounding spaces.

Two formats exist (PROTOCOLS.md §4.1):
- old, issued until 2017-06-30: DDMMYY-CNNNZ, where C is the century (0 = 1800s, 1 = 1900s, 2 = 2000s) and Z a
  check digit;
- new, since 2017-07-01: 3, then 2–9, then nine random digits. No checksum is documented for it, so none is
  enforced. python-stdnum's `lv.pvn.validate` does enforce one on new codes, which is why the format rules are
  written here and only its check-digit and birth-date helpers are reused.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidComponent
from stdnum.lv import pvn

from selfcare.errors import MESSAGES, ErrorCode

_INPUT = re.compile(r"^(?:PNO(?P<country>[A-Z]{2})-)?(?P<first>\d{6})[-\s]?(?P<last>\d{5})$")
_NEW_FORMAT = re.compile(r"^3[2-9]\d{9}$")


def _error(code: ErrorCode) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code.value)


@dataclass(frozen=True, slots=True, order=True)
class PersonalCode:
    """A validated personal code: the country and the 11 digits, never a hyphen."""

    country: str
    code: str

    @classmethod
    def parse(cls, text: str) -> PersonalCode:
        match = _INPUT.match(text.strip().upper())
        if not match:
            raise _error(ErrorCode.PERSONAL_CODE_FORMAT)
        country = match["country"] or "LV"
        if country != "LV":
            # Only Latvian codes are modelled; other countries' ETSI identifiers are refused, not misread.
            raise _error(ErrorCode.PERSONAL_CODE_FORMAT)
        code = match["first"] + match["last"]
        if _NEW_FORMAT.match(code):
            return cls(country, code)
        if code[6] not in "012":
            raise _error(ErrorCode.PERSONAL_CODE_DATE)
        try:
            pvn.get_birth_date(code)
        except InvalidComponent:
            raise _error(ErrorCode.PERSONAL_CODE_DATE) from None
        if pvn.calc_check_digit_pers(code[:10]) != code[10]:
            raise _error(ErrorCode.PERSONAL_CODE_CHECKSUM)
        return cls(country, code)

    @property
    def is_new_format(self) -> bool:
        return bool(_NEW_FORMAT.match(self.code))

    @property
    def birth_date(self) -> datetime.date | None:
        """The birth date carried by an old-format code; new-format codes carry none."""
        return None if self.is_new_format else pvn.get_birth_date(self.code)

    @property
    def display(self) -> str:
        """The form people write: 010117-21234."""
        return f"{self.code[:6]}-{self.code[6:]}"

    @property
    def etsi(self) -> str:
        """The ETSI semantics identifier used by Smart-ID and in certificates: PNOLV-010117-21234."""
        return f"PNO{self.country}-{self.display}"

    def __str__(self) -> str:
        return self.display
