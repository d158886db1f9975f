"""Read an ASiC-E container (ETSI EN 319 162-1) from untrusted bytes, refusing zip bombs and ambiguous layouts.

Nothing is extracted to disk. Limits hold whatever the ZIP headers claim: entries are read with a bounded read, so a
header that under-declares an entry's size gains nothing.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from selfcare.mandates.signatures.report import Problem
from selfcare.mandates.signatures.sniff import ASICE_MIMETYPE, ASICS_MIMETYPE

MAX_ENTRIES = 200
# All entries together may unpack to this multiple of the upload limit; a single entry to the upload limit.
TOTAL_FACTOR = 2


class ContainerRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Container:
    data_files: dict[str, bytes]  # the signed payload: every entry outside META-INF/, in container order
    signatures: dict[str, bytes]  # META-INF/*signatures*.xml
    other_signatures: tuple[str, ...]  # CAdES (*.p7s) or other signature files we do not validate


def read_container(data: bytes, max_bytes: int) -> Container:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise ContainerRefused(Problem.NOT_A_DOCUMENT) from None
    if len(infos) > MAX_ENTRIES:
        raise ContainerRefused(Problem.MALFORMED)
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        # Two entries of one name: a validator and a viewer could each pick a different one.
        raise ContainerRefused(Problem.MALFORMED)
    if not infos or infos[0].filename != "mimetype":
        raise ContainerRefused(Problem.NOT_A_DOCUMENT)
    budget = TOTAL_FACTOR * max_bytes
    contents: dict[str, bytes] = {}
    for info in infos:
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise ContainerRefused(Problem.UNSUPPORTED)  # encrypted entry
        if info.file_size > max_bytes or info.file_size > budget:
            raise ContainerRefused(Problem.TOO_LARGE)
        try:
            with archive.open(info) as entry:
                content = entry.read(min(max_bytes, budget) + 1)
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
            raise ContainerRefused(Problem.MALFORMED) from None
        if len(content) > min(max_bytes, budget):
            raise ContainerRefused(Problem.TOO_LARGE)
        budget -= len(content)
        contents[info.filename] = content
    mimetype = contents.pop("mimetype", b"").strip()
    if mimetype == ASICS_MIMETYPE:
        raise ContainerRefused(Problem.UNSUPPORTED)
    if mimetype != ASICE_MIMETYPE:
        raise ContainerRefused(Problem.NOT_A_DOCUMENT)
    data_files = {name: body for name, body in contents.items() if not name.startswith("META-INF/")}
    meta = {name: body for name, body in contents.items() if name.startswith("META-INF/")}
    signatures = {n: b for n, b in meta.items() if "signatures" in n.rsplit("/", 1)[-1] and n.endswith(".xml")}
    other = tuple(n for n in meta if n.endswith(".p7s"))
    return Container(data_files=data_files, signatures=signatures, other_signatures=other)
