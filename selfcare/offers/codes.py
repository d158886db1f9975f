"""Partner code pools: a list the partner sent (one code per line), or codes generated here.

An upload is all or nothing: if any code is malformed or appears twice (in the file, or already in this offer's
pools), nothing is added and the report names every such line, so staff fix the file and upload it again
rather than guess which half went in.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from selfcare.errors import ErrorCode
from selfcare.offers.models import CodePool, Offer, PartnerCode, PoolSource

CODE = re.compile(r"^[A-Za-z0-9_-]{4,64}$")
# No 0/O or 1/I/L: codes are read off a phone screen and typed at a till.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_CODES_PER_POOL = 100_000


@dataclass
class UploadReport:
    """What an upload did: `added` codes, or the reason nothing was added with the offending lines."""

    added: int = 0
    error: ErrorCode | None = None
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (line number, code)
    existing: list[tuple[int, str]] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_lines(text: str) -> list[tuple[int, str]]:
    """(line number, code) for each non-empty line; a CSV's first column counts, surrounding spaces do not."""
    codes = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        code = line.split(",", 1)[0].split(";", 1)[0].strip().strip('"').strip()
        if code:
            codes.append((number, code))
    return codes


def upload_codes(*, offer: Offer, name: str, text: str) -> UploadReport:
    report = UploadReport()
    lines = parse_lines(text)
    if not lines:
        report.error = ErrorCode.CODE_POOL_EMPTY
        return report
    report.malformed = [(n, code) for n, code in lines if not CODE.match(code)][:50]
    if report.malformed or len(lines) > MAX_CODES_PER_POOL:
        report.error = ErrorCode.CODE_POOL_BAD_CODE
        return report
    seen: dict[str, int] = {}
    for number, code in lines:
        if code in seen:
            report.duplicates.append((number, code))
        else:
            seen[code] = number
    present = set(
        PartnerCode.objects.filter(offer=offer, code__in=list(seen)).values_list("code", flat=True).iterator()
    )
    report.existing = sorted((seen[code], code) for code in present)
    if report.duplicates or report.existing:
        report.error = ErrorCode.CODE_POOL_DUPLICATES
        return report
    try:
        with transaction.atomic():
            pool = CodePool.objects.create(offer=offer, name=name, source=PoolSource.UPLOADED)
            PartnerCode.objects.bulk_create(
                [PartnerCode(pool=pool, offer=offer, code=code) for _n, code in lines], batch_size=2000
            )
    except IntegrityError:  # another upload added one of these codes a moment ago
        report.error = ErrorCode.CODE_POOL_DUPLICATES
        return report
    report.added = len(lines)
    return report


def generate_codes(*, offer: Offer, name: str, count: int, prefix: str = "", length: int = 10) -> CodePool:
    """A pool of `count` new random codes (CSPRNG), unique within the offer."""
    if not 1 <= count <= MAX_CODES_PER_POOL:
        raise ValueError(f"a pool holds 1 to {MAX_CODES_PER_POOL} codes")
    with transaction.atomic():
        pool = CodePool.objects.create(offer=offer, name=name, source=PoolSource.GENERATED)
        taken = set(PartnerCode.objects.filter(offer=offer).values_list("code", flat=True).iterator())
        fresh: set[str] = set()
        while len(fresh) < count:
            code = prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))
            if code not in taken:
                fresh.add(code)
        PartnerCode.objects.bulk_create(
            [PartnerCode(pool=pool, offer=offer, code=code) for code in sorted(fresh)], batch_size=2000
        )
    return pool
