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

from django.db.models import Q

from selfcare.customers.models import Company
from selfcare.mandates.models import Representation, Representative
from selfcare.queries import MARK_TEXTS, Prepared


def name_key(name: str) -> frozenset[str]:
    """The words of a name, case-folded and without diacritics, in any order."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return frozenset(plain.replace("-", " ").split())


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


# The columns the matching needs and those a context is made of: every selected column of an ordered query costs
# the compiler a hash, and the statement, asked on every dashboard, is compiled once per number of codes
# (selfcare.queries.Prepared).
_CANDIDATE_COLUMNS = (
    "pk",
    "personal_code",
    "code_prefix",
    "name",
    "company_id",
    "company__name",
    "company__registration_number",
)
_CANDIDATES = Prepared(
    Representative,
    lambda codes, prefixes: (
        Representative.objects.filter(Q(personal_code__in=codes) | Q(personal_code="", code_prefix__in=prefixes))
        .order_by("company__name", "pk")
        .values_list(*_CANDIDATE_COLUMNS)
    ),
    codes=MARK_TEXTS,
    prefixes=MARK_TEXTS,
)


def companies_represented(codes: Iterable[str], name: str) -> list[Company]:
    """The companies this person may represent, in one query (asked on every request by the access module). The
    companies carry their id, name and registration number only (what a context is made of)."""
    codes = list(codes)
    full = [c for c in codes if len(c) == 11]
    if not full:  # both lists of the statement come from these codes: neither is empty below
        return []
    rows = _CANDIDATES.rows(codes=full, prefixes=sorted({c[:6] for c in full}))
    candidates = []
    for pk, personal_code, code_prefix, person, company_id, company_name, registration_number in rows:
        representative = Representative(
            pk=pk, personal_code=personal_code, code_prefix=code_prefix, name=person, company_id=company_id
        )
        representative.company = Company(pk=company_id, name=company_name, registration_number=registration_number)
        candidates.append(representative)
    companies: dict[int, Company] = {}
    for representative in matching(candidates, codes, name):
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
