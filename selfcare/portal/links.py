"""Links to the pages of many contexts at once, for pages that list contexts (the dashboard's groups).

`{% url %}` resolves the URL patterns again for every link: the dashboard's groups made six or seven each, a tenth
of a ten-company dashboard (docs/performance.md). Each page's URL is reversed once here, for a placeholder
context, and the context keys put in its place; the links are the same strings `{% url %}` gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.urls import reverse

from selfcare.customers.models import Connection

# Not a context key (those are "private" or a kind and a number): it cannot stand for one by accident, and a URL
# pattern's fixed parts do not contain it.
_PLACEHOLDER = "0context0"


def context_links(pages: Mapping[str, str], keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """For each context key, the URL of each page in `pages` (what the template calls it → URL name; every URL
    has only the `context` argument). Context keys need no quoting in a path, so the key stands in as reverse
    would have written it."""
    patterns = {label: reverse(name, kwargs={"context": _PLACEHOLDER}) for label, name in pages.items()}
    return {key: {label: url.replace(_PLACEHOLDER, key) for label, url in patterns.items()} for key in keys}


def connection_links(context_key: str, connections: Iterable[Connection]) -> None:
    """Set `page_url` on each connection of a table: its page in this context. One reverse for the table (was a
    `{% url %}` per row, fifty on a connection list); the id goes where reverse writes it, the path's last part."""
    folder = reverse("portal:connection", kwargs={"context": context_key, "connection_id": 0})
    assert folder.endswith("/0/"), folder
    folder = folder[: -len("0/")]
    for connection in connections:
        connection.page_url = f"{folder}{connection.pk}/"  # type: ignore[attr-defined]
