"""What an audit event acted on, as a person reads it ("+371 25 500 001", "Power of attorney: Līga Liepa → SIA X"),
instead of the stored reference ("customers.connection 206").

Looked up per model in one query each, for a page of events; an object since deleted keeps its reference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.utils.text import capfirst

from selfcare.audit.models import AuditEvent
from selfcare.identifiers import format_msisdn

# What each model's own name needs, read in the same query.
_RELATED: dict[str, list[str]] = {
    "mandates.mandate": ["company"],
    "binding.connectionbinding": ["connection", "identity"],
    "offers.offerclaim": ["offer", "connection"],
}


def object_labels(events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type and event.object_id:
            wanted[event.object_type].add(event.object_id)
    labels: dict[tuple[str, str], str] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        found = model._default_manager.select_related(*_RELATED.get(label, [])).in_bulk(list(ids))
        for pk, obj in found.items():
            if label == "customers.connection":
                text = format_msisdn(str(obj.msisdn))
            else:
                text = f"{capfirst(str(model._meta.verbose_name))}: {obj}"
            labels[(label, str(pk))] = text
    return labels


def object_label(event: AuditEvent, labels: dict[tuple[str, str], str]) -> str:
    if not event.object_type:
        return "—"
    return labels.get((event.object_type, event.object_id), f"{event.object_type} {event.object_id}")
