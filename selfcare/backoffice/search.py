"""Back-office search terms read the way staff type them: `29 123 456`, `010117-21234`, `LV40003521600`.

A term that parses as an identifier is normalised to the stored form, so the exact-match index is used.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from selfcare.identifiers import PersonalCode, parse_msisdn, parse_registration_number


def normalised_terms(term: str) -> list[str]:
    """The term itself plus every identifier form it parses as."""
    terms = [term.strip()]
    for parse in (parse_msisdn, lambda t: PersonalCode.parse(t).code, parse_registration_number):
        try:
            terms.append(parse(term))
        except ValidationError:
            continue
    return list(dict.fromkeys(t for t in terms if t))
