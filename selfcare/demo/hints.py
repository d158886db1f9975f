"""What the pages may suggest to someone trying the demo: only numbers that really are in the demo data, and only
while they still work (a hint to bind a number that someone already bound would lead nowhere)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from selfcare.binding.models import BindingStatus, ConnectionBinding
from selfcare.binding.services import eligible_connection
from selfcare.demo import dataset
from selfcare.demo.loader import generated_msisdn
from selfcare.identifiers import format_msisdn

# The second generated number of the first company: the free work number the README offers Līga.
FREE_WORK_NUMBER = generated_msisdn(dataset.COMPANIES[0].msisdn_block, 1)


def free_work_number() -> str | None:
    """The demo's free work number, as people write it, if this is the demo, the number is in the data, a code may
    go to it and nobody has bound it; None otherwise."""
    if not settings.SELFCARE_DEMO or eligible_connection(FREE_WORK_NUMBER) is None:
        return None
    bound = ConnectionBinding.objects.filter(connection__msisdn=FREE_WORK_NUMBER, status=BindingStatus.ACTIVE)
    return None if bound.exists() else format_msisdn(FREE_WORK_NUMBER)


def demo_hints(request: HttpRequest) -> dict[str, object]:
    """Context processor, named in TEMPLATES only in the demo (settings.py): the portal's pages offer the hints
    without importing the demo. Lazy: only a page that shows a hint asks the database."""
    return {"demo_number": SimpleLazyObject(free_work_number)}
