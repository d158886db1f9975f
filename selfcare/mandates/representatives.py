"""Who may represent a company, and whether a set of signatures is enough to bind it.

The Register of Enterprises publishes officers with the personal code masked ("150385-*****"): the first six
digits and the name are all that identify a person. A person (a verified eID identity, or a signer of a document)
matches a representative when

- the representative has a full personal code (entered by staff) and it is one of the person's codes; or
- the representative has no full code, the first six digits of one of the person's codes equal the masked
  code's digits, **and** the names are the same.

Names are compared as a set of words, case-folded and without diacritics: certificates carry "LĪGA LIEPA", the
register "Līga Liepa", and some providers transliterate ("LIGA LIEPA"). What is **not** checked: two people with
the same birth date (or the same six leading digits of a new-format code) and the same name would match each
other's entries. That is rare; staff close the gap for a company by entering the full code in the back office.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from selfcare.customers.models import Company
from selfcare.mandates.models import Representation, Representative


def name_key(name: str) -> frozenset[str]:
    """The words of a name, case-folded and without diacritics, in any order."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return frozenset(plain.replace("-", " ").split())


def _candidates(codes: Iterable[str]) -> QuerySet[Representative]:
    codes = [c for c in codes if len(c) == 11]
    if not codes:
        return Representative.objects.none()
    return Representative.objects.filter(
        Q(personal_code__in=codes) | Q(personal_code="", code_prefix__in={c[:6] for c in codes})
    )


def matching(representatives: Iterable[Representative], codes: Iterable[str], name: str) -> list[Representative]:
    """Those of `representatives` who are this person (codes: 11-digit personal codes; name: as verified)."""
    codes = set(codes)
    key = name_key(name)
    found = []
    for representative in representatives:
        if representative.personal_code:
            if representative.personal_code in codes:
                found.append(representative)
        elif representative.code_prefix in {c[:6] for c in codes} and name_key(representative.name) == key:
            found.append(representative)
    return found


def companies_represented(codes: Iterable[str], name: str) -> list[Company]:
    """The companies this person may represent, in one query (asked on every request by the access module). The
    companies carry their id, name and registration number only (what a context is made of): the columns the
    matching needs and those, since every selected column of an ordered query costs the compiler a hash."""
    codes = list(codes)
    rows = list(
        _candidates(codes)
        .select_related("company")
        .only("personal_code", "code_prefix", "name", "company", "company__name", "company__registration_number")
        .order_by("company__name", "pk")
    )
    companies: dict[int, Company] = {}
    for representative in matching(rows, codes, name):
        companies.setdefault(representative.company_id, representative.company)
    return list(companies.values())


@dataclass(frozen=True)
class SignerIdentity:
    """The part of a document's signer that representation depends on."""

    personal_code: str
    name: str


def binds_company(company: Company, signers: Iterable[SignerIdentity]) -> bool:
    """True when these (already validated) signers can bind the company: one representative with sole rights, or
    at least as many joint representatives as the strictest of them requires."""
    representatives = list(company.representatives.all())
    joint_signers: set[str] = set()  # counted by person: one person listed twice still signs once
    required = 1
    for signer in signers:
        for representative in matching(representatives, [signer.personal_code], signer.name):
            if representative.representation == Representation.SOLE:
                return True
            joint_signers.add(signer.personal_code)
            required = max(required, representative.signatures_required)
    return bool(joint_signers) and len(joint_signers) >= required
