"""What the back office shows: every page module is listed here, so registration happens in one place.

Django imports this module at start-up (admin autodiscovery); each module registers its pages on
`selfcare.backoffice.site.backoffice_site`.
"""

from selfcare.backoffice import audit, customers, identities, mandates, new_connections, offers, staff, tasks, usage
from selfcare.backoffice.site import backoffice_site

__all__ = [
    "audit",
    "backoffice_site",
    "customers",
    "identities",
    "mandates",
    "new_connections",
    "offers",
    "staff",
    "tasks",
    "usage",
]
