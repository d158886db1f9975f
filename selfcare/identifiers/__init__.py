"""Identifiers of people, companies and phone numbers, parsed into normalised values with clear errors.

    PersonalCode.parse("PNOLV-010117-21234") -> PersonalCode(country="LV", code="01011721234")
    PersonalCode.parse("EE 38001085718") -> PersonalCode(country="EE", code="38001085718")
    parse_registration_number("40003521600") -> "40003521600"
    parse_msisdn("29 123 456") -> "+37129123456"

Every parser raises django.core.exceptions.ValidationError with a code from selfcare.errors.ErrorCode.
"""

from selfcare.identifiers.msisdn import format_msisdn, parse_msisdn
from selfcare.identifiers.personal_code import COUNTRIES, PersonalCode, display_code
from selfcare.identifiers.registration_number import parse_registration_number, parse_vat_number

__all__ = [
    "COUNTRIES",
    "PersonalCode",
    "display_code",
    "format_msisdn",
    "parse_msisdn",
    "parse_registration_number",
    "parse_vat_number",
]
