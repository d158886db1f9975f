"""The simulated Register of Enterprises: the demo companies' officers with their full personal codes.

The demo's board members (``dataset.PERSONS``, ``represents``) are listed with sole rights under the id the demo's
data gives their open-data row (``demo-<code>``), so the web service and the open data name the same officer alike.
Every demo company is known (a company without a board member in the demo answers an empty list); a registration
number the demo does not have answers 404.

``changes`` stands for the register changing while the simulator runs (a board member leaves, another joins): the
officers listed there for a registration number replace the demo's. The tests fill it; nothing else does.
"""

from __future__ import annotations

from dataclasses import dataclass

from selfcare.demo import dataset


@dataclass(frozen=True)
class SimOfficer:
    id: str
    name: str
    code: str | None  # as the register writes it, "120478-11230"; None for a legal person or a foreigner
    rights: str = "INDIVIDUALLY"
    with_at_least: int | None = None
    position: str = "BOARD_MEMBER"
    governing_body: str = "BOARD"
    registered_on: str = "2019-04-02"


changes: dict[str, list[SimOfficer]] = {}


def _demo() -> dict[str, list[SimOfficer]]:
    register: dict[str, list[SimOfficer]] = {company.registration_number: [] for company in dataset.COMPANIES}
    for person in dataset.PERSONS:
        code = person.code
        if code.country != "LV":
            continue
        for number in person.represents:
            register.setdefault(number, []).append(
                SimOfficer(id=f"demo-{code.code}", name=person.name, code=f"{code.code[:6]}-{code.code[6:]}")
            )
    return register


def listed(registration_number: str) -> list[SimOfficer] | None:
    """The company's officers today, or None when the register does not know the number."""
    if registration_number in changes:
        return changes[registration_number]
    return _demo().get(registration_number)
