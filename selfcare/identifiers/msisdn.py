"""Phone numbers (MSISDN) parsed and validated with Google's libphonenumber metadata (`phonenumbers`).

Stored in E.164 (`+37129123456`); shown in the international format people read (`+371 29 123 456`).
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError

from selfcare.errors import MESSAGES, ErrorCode


def parse_msisdn(text: str, *, region: str = "LV") -> str:
    """Normalise a Latvian number to E.164; a number without a country code is read as Latvian."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(MESSAGES[ErrorCode.PHONE_NUMBER_INVALID], code=ErrorCode.PHONE_NUMBER_INVALID) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(MESSAGES[ErrorCode.PHONE_NUMBER_INVALID], code=ErrorCode.PHONE_NUMBER_INVALID)
    if phonenumbers.region_code_for_number(number) != region:
        raise ValidationError(MESSAGES[ErrorCode.PHONE_NUMBER_NOT_LATVIAN], code=ErrorCode.PHONE_NUMBER_NOT_LATVIAN)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    """True for numbers the metadata knows as mobile: the only ones a one-time code may be sent to."""
    number_type = phonenumbers.number_type(phonenumbers.parse(e164))
    return number_type in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def format_msisdn(e164: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
