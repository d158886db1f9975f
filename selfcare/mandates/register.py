"""Loading representatives from the Register of Enterprises' open data (data.gov.lv, "Uzņēmumu reģistra
amatpersonas", file officers.csv).

The file is semicolon-separated UTF-8 with a header row; the columns this loader reads (others are ignored):

    id;…;at_legal_entity_registration_number;…;position;governing_body;name;latvian_identity_number_masked;…;
    rights_of_representation_type;representation_with_at_least;…

- `rights_of_representation_type`: INDIVIDUALLY (represents alone), WITH_AT_LEAST (together with at least
  `representation_with_at_least` other officers) or WITH_ALL (together with all officers of the body);
- `latvian_identity_number_masked`: "150385-*****" — only the first six digits are published.

Read as: WITH_AT_LEAST n needs n + 1 signatures in all (the officer plus n others, the Register's wording
"kopā ar vismaz n"); WITH_ALL needs every officer of the company listed in the file with joint rights. Rows of
companies that are not our customers are skipped, as are rows without a masked Latvian code (legal persons,
foreigners without a code): they could never be matched to an eID login.

Loading replaces, per company present in the file, the representatives that came from the register; those entered
by hand in the back office are left alone. A re-run of the same file changes nothing. A representative the file no
longer lists is removed (audited; the caller tells the company's main users, see ``tasks.refresh_register``): with
the row goes the representative context, at the person's next request.

Matching limits of the open data: the masked code gives six digits, so a person is matched by those and the name
(``representatives``); a company that is in the file with none of its officers (all foreigners or legal persons)
keeps none from the register.

The Register's paid web service gives full personal codes (``register_service``); when it is configured
``load_from_service`` asks it company by company and the same rows are written with the full code, which then
matches exactly. Both sources write the same rows (source "register"), so switching between them does not remove
and re-add anybody: a row from the other source is taken over by the register's officer id, or else by the person
(the full code, or the six digits and the name of a masked row). A company the service could not answer for keeps
its rows as they were: a failing service never removes a representative.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from selfcare.audit.services import record
from selfcare.customers.models import Company
from selfcare.mandates.models import Representation, Representative, RepresentativeSource
from selfcare.mandates.register_service import RegisterServiceClient, RegisterUnavailable
from selfcare.mandates.representatives import name_key

logger = logging.getLogger(__name__)

_MASKED = re.compile(r"^(\d{6})-?[*xX]{5}$")
REQUIRED_COLUMNS = (
    "id",
    "at_legal_entity_registration_number",
    "name",
    "latvian_identity_number_masked",
    "rights_of_representation_type",
)


class RegisterFormatError(ValueError):
    """The file is not the officers export this loader knows."""


@dataclass(frozen=True)
class Gone:
    """A representative the register no longer lists: who, and of which company."""

    company: Company
    name: str
    code_prefix: str


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0
    companies: set[str] = field(default_factory=set)
    gone: list[Gone] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # registration numbers the service could not answer for


@dataclass(frozen=True)
class _Row:
    source_id: str
    name: str
    code_prefix: str
    position: str
    rights: str
    at_least: int
    personal_code: str = ""  # the full code, from the web service only


def _rows(lines: Iterable[str], result: LoadResult, wanted: set[str]) -> dict[str, list[_Row]]:
    reader = csv.DictReader(lines, delimiter=";")
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegisterFormatError(f"not an officers export: missing column(s) {', '.join(missing)}")
    by_company: dict[str, list[_Row]] = defaultdict(list)
    for raw in reader:
        number = (raw.get("at_legal_entity_registration_number") or "").strip()
        masked = _MASKED.match((raw.get("latvian_identity_number_masked") or "").strip())
        rights = (raw.get("rights_of_representation_type") or "").strip().upper()
        if number not in wanted or masked is None or rights not in {"INDIVIDUALLY", "WITH_AT_LEAST", "WITH_ALL"}:
            result.skipped += 1
            continue
        at_least = (raw.get("representation_with_at_least") or "").strip()
        by_company[number].append(
            _Row(
                source_id=(raw.get("id") or "").strip()[:40],
                name=" ".join((raw.get("name") or "").split())[:200],
                code_prefix=masked[1],
                position=(raw.get("position") or "").strip()[:100],
                rights=rights,
                at_least=int(at_least) if at_least.isdigit() else 1,
            )
        )
    return by_company


def _representation(row: _Row, joint_count: int) -> tuple[str, int]:
    if row.rights == "INDIVIDUALLY":
        return Representation.SOLE, 1
    if row.rights == "WITH_ALL":
        return Representation.JOINT, max(joint_count, 2)
    return Representation.JOINT, row.at_least + 1


@transaction.atomic
def load_officers(data: bytes | str) -> LoadResult:
    """Load an officers export (bytes or text) for the companies we know; see the module docstring."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    result = LoadResult()
    companies = {c.registration_number: c for c in Company.objects.all()}
    by_company = _rows(io.StringIO(text), result, set(companies))
    for number, rows in by_company.items():
        _apply(companies[number], rows, result)
    return result


def load_from_service(client: RegisterServiceClient) -> LoadResult:
    """Ask the Register's web service for each of our companies' officers and write them (full codes).

    One company at a time, each in its own transaction: a company the service cannot answer for now is logged,
    listed in ``failed`` and keeps its representatives until a later run reads it.
    """
    result = LoadResult()
    for company in Company.objects.exclude(registration_number="").order_by("pk"):
        try:
            officers = client.officers(company.registration_number)
        except RegisterUnavailable as error:
            logger.warning("Register service: %s kept as it was (%s)", company.registration_number, error)
            result.failed.append(company.registration_number)
            continue
        rows = []
        for officer in officers:
            if officer.personal_code is None or officer.rights is None:
                result.skipped += 1  # a legal person, a foreigner without a Latvian code: no eID login to match
                continue
            rows.append(
                _Row(
                    source_id=officer.id[:40],
                    name=" ".join(officer.name.split())[:200],
                    code_prefix=officer.personal_code[:6],
                    position=officer.position[:100],
                    rights=officer.rights,
                    at_least=officer.with_at_least,
                    personal_code=officer.personal_code,
                )
            )
        # WITH_ALL means every officer with joint rights, those the portal cannot match (a foreigner) included:
        # counting only the matchable ones would let fewer signatures bind the company than the register asks.
        joint_count = sum(1 for o in officers if o.rights in ("WITH_AT_LEAST", "WITH_ALL"))
        with transaction.atomic():
            _apply(company, rows, result, joint_count=joint_count)
    return result


def _same_person(representative: Representative, row: _Row) -> bool:
    """Whether a row of the other source is this officer: by full code when both have one, else masked."""
    if representative.personal_code and row.personal_code:
        return bool(representative.personal_code == row.personal_code)
    return representative.code_prefix == row.code_prefix and name_key(representative.name) == name_key(row.name)


def _apply(company: Company, rows: list[_Row], result: LoadResult, *, joint_count: int | None = None) -> None:
    """Make the company's register rows what `rows` say: create, update, and remove (audited) the ones not listed.

    ``joint_count``: how many officers share joint rights (WITH_ALL needs them all); by default those in `rows`."""
    result.companies.add(company.registration_number)
    if joint_count is None:
        joint_count = sum(1 for r in rows if r.rights != "INDIVIDUALLY")
    incoming = {r.source_id for r in rows}
    existing = {
        r.source_id: r for r in company.representatives.filter(source=RepresentativeSource.REGISTER).order_by("pk")
    }
    for row in rows:
        representation, required = _representation(row, joint_count)
        values: dict[str, object] = {
            "source_id": row.source_id,
            "name": row.name,
            "code_prefix": row.code_prefix,
            "position": row.position,
            "representation": representation,
            "signatures_required": required,
        }
        current = existing.pop(row.source_id, None)
        if current is None:
            # The other source may know this officer under another id: take that row over rather than remove
            # and re-add the person (which would tell the main users someone left who did not).
            current = next((r for r in existing.values() if r.source_id not in incoming and _same_person(r, row)), None)
            if current is not None:
                existing.pop(current.source_id)
        if row.personal_code:
            values["personal_code"] = row.personal_code
        elif current is not None and current.personal_code and current.personal_code[:6] != row.code_prefix:
            values["personal_code"] = ""  # a full code the register's masked digits now contradict is not kept
        if current is None:
            Representative.objects.create(company=company, source=RepresentativeSource.REGISTER, **values)
            result.created += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.save()
            result.updated += 1
    for gone in existing.values():
        # Access is derived per request from these rows: the person loses the representative context at once.
        record(None, "mandates:representative:removed", identity=None, target=gone, company_id=company.pk)
        result.gone.append(Gone(company, gone.name, gone.code_prefix))
        gone.delete()
        result.removed += 1
