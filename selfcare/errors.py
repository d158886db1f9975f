"""Every error a person or an API client can see: one stable code and one translated message each.

Pages show `message(code)`; the JSON API answers `{"errors": [{"code": …, "message": …, "field": …}]}`.
Codes never change once published (clients key on them); messages may be reworded.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


class ErrorCode(StrEnum):
    PERSONAL_CODE_FORMAT = "personal_code_format"
    PERSONAL_CODE_DATE = "personal_code_date"
    PERSONAL_CODE_CHECKSUM = "personal_code_checksum"
    REGISTRATION_NUMBER_FORMAT = "registration_number_format"
    REGISTRATION_NUMBER_CHECKSUM = "registration_number_checksum"
    VAT_NUMBER_INVALID = "vat_number_invalid"
    PHONE_NUMBER_INVALID = "phone_number_invalid"
    PHONE_NUMBER_NOT_LATVIAN = "phone_number_not_latvian"
    BILLING_CYCLE_DAY = "billing_cycle_day"
    ACCOUNT_HOLDER = "account_holder"
    MSISDN_IN_USE = "msisdn_in_use"
    NOT_FOUND = "not_found"


MESSAGES: dict[ErrorCode, StrPromise] = {
    ErrorCode.PERSONAL_CODE_FORMAT: _(
        "A personal code has 11 digits, for example 161175-19997 (a hyphen after the sixth digit is optional)."
    ),
    ErrorCode.PERSONAL_CODE_DATE: _(
        "This personal code does not start with a real birth date (DDMMYY and the century digit 0, 1 or 2)."
    ),
    ErrorCode.PERSONAL_CODE_CHECKSUM: _("This personal code is not valid: its last digit does not match."),
    ErrorCode.REGISTRATION_NUMBER_FORMAT: _("A registration number has 11 digits, for example 40003521600."),
    ErrorCode.REGISTRATION_NUMBER_CHECKSUM: _(
        "This registration number is not valid: its digits do not add up. Check it in the Register of Enterprises."
    ),
    ErrorCode.VAT_NUMBER_INVALID: _("A Latvian VAT number is LV followed by 11 digits, for example LV40003521600."),
    ErrorCode.PHONE_NUMBER_INVALID: _("This is not a valid phone number. Enter it as +371 2XXXXXXX or 2XXXXXXX."),
    ErrorCode.PHONE_NUMBER_NOT_LATVIAN: _("Only Latvian numbers (+371) can be used here."),
    ErrorCode.BILLING_CYCLE_DAY: _("The billing cycle starts on a day from 1 to 28."),
    ErrorCode.ACCOUNT_HOLDER: _(
        "A private account needs the holder's personal code and name; a business account needs a company, and not both."
    ),
    ErrorCode.MSISDN_IN_USE: _("This number already belongs to another connection that is not terminated."),
    ErrorCode.NOT_FOUND: _("Not found."),
}


def message(code: ErrorCode) -> str:
    return str(MESSAGES[code])
