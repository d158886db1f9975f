"""The periodic tasks and when they are due: enqueued by every `selfcare worker` (or `selfcare scheduler`), never
by cron (selfcare/background/schedule.py says how several processes enqueue each slot once).

Daily times are Riga's wall clock. Expiry runs just after midnight, when yesterday's last valid day has passed.
"""

from __future__ import annotations

import datetime

from selfcare.background.prune import prune_finished_tasks
from selfcare.background.schedule import Periodic
from selfcare.binding.tasks import sweep_queued_sms
from selfcare.mandates.tasks import expire_mandates_task, refresh_register
from selfcare.orders.tasks import poll_new_connections, poll_open_orders
from selfcare.spend.tasks import follow_up_cap_barrings
from selfcare.usage.tasks import maintain_event_partitions, refresh_company_summaries

SCHEDULE: list[Periodic] = [
    Periodic("mandates.expire", expire_mandates_task, daily_at=datetime.time(0, 5)),
    Periodic("mandates.refresh_register", refresh_register, daily_at=datetime.time(4, 0)),
    Periodic("usage.maintain_event_partitions", maintain_event_partitions, daily_at=datetime.time(3, 0)),
    Periodic("background.prune_finished_tasks", prune_finished_tasks, daily_at=datetime.time(2, 0)),
    Periodic("binding.sweep_queued_sms", sweep_queued_sms, every=datetime.timedelta(minutes=1)),
    # Open orders are asked about again once due (ORDERING_POLL_SECONDS); the tick itself is cheap when none is.
    Periodic("orders.poll_open_orders", poll_open_orders, every=datetime.timedelta(minutes=1)),
    # New connections' orders likewise; an eSIM not ready in time goes to the back office from here.
    Periodic("orders.poll_new_connections", poll_new_connections, every=datetime.timedelta(minutes=1)),
    # Barrings at a spend cap: told once in force, lifted when the cycle has ended (a minute late at most).
    Periodic("spend.follow_up_cap_barrings", follow_up_cap_barrings, every=datetime.timedelta(minutes=1)),
    # Dashboards read company summaries; a summary stale since an import is summed here rather than by a reader.
    Periodic("usage.refresh_company_summaries", refresh_company_summaries, every=datetime.timedelta(minutes=1)),
]
