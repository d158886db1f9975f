"""Latvian company registration numbers and VAT (PVN) numbers.

A registration number has 11 digits; commercial companies start with 40, non-profits with 50, state and
municipal bodies with 90. Its checksum (weights 9,1,4,8,3,10,2,5,7,6,1; sum mod 11 == 3) is python-stdnum's.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from stdnum.lv import pvn

from selfcare.errors import MESSAGES, ErrorCode

_DIGITS = re.compile(r"^\d{11}$")


def parse_registration_number(text: str) -> str:
    number = re.sub(r"[\s-]", "", text.strip().upper()).removeprefix("LV")
    if not _DIGITS.match(number) or number[0] <= "3":
        # A first digit 0-3 is a person's code, not a legal entity.
        raise ValidationError(MESSAGES[ErrorCode.REGISTRATION_NUMBER_FORMAT], code=ErrorCode.REGISTRATION_NUMBER_FORMAT)
    if pvn.checksum(number) != 3:
        raise ValidationError(
            MESSAGES[ErrorCode.REGISTRATION_NUMBER_CHECKSUM], code=ErrorCode.REGISTRATION_NUMBER_CHECKSUM
        )
    return number


def parse_vat_number(text: str) -> str:
    """A company's VAT number, normalised to LV + 11 digits; the digits must be a valid registration number."""
    compact = re.sub(r"[\s-]", "", text.strip().upper())
    if not compact.startswith("LV"):
        raise ValidationError(MESSAGES[ErrorCode.VAT_NUMBER_INVALID], code=ErrorCode.VAT_NUMBER_INVALID)
    try:
        return "LV" + parse_registration_number(compact[2:])
    except ValidationError:
        raise ValidationError(MESSAGES[ErrorCode.VAT_NUMBER_INVALID], code=ErrorCode.VAT_NUMBER_INVALID) from None
