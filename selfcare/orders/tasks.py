"""Order follow-ups on the task system: the notice of how an order ended, and the polling fallback for orders whose
events did not come (the operator's callback lost or never registered). Both are safe to run twice: the notice is
read from the order's final state, and a poll only moves an order forward (services.apply_state)."""

from __future__ import annotations

import uuid

from selfcare.background.tasks import retrying_task
from selfcare.orders.services import notify_person, orders_poll


@retrying_task(attempts=3, backoff=60)
def notify_order_outcome(order_id: str) -> None:
    notify_person(uuid.UUID(order_id))


@retrying_task(attempts=1, backoff=60)
def poll_open_orders() -> int:
    """Periodic: ask the operator about every open order not heard of for ORDERING_POLL_SECONDS."""
    return orders_poll()


@retrying_task(attempts=3, backoff=60)
def notify_new_connection(order_id: str) -> None:
    from selfcare.orders.new_connection import notify

    notify(uuid.UUID(order_id))


@retrying_task(attempts=1, backoff=60)
def poll_new_connections() -> int:
    """Periodic: follow new connections' orders, and send eSIMs not ready in time to the back office."""
    from selfcare.orders.new_connection import poll_new_connections as poll

    return poll()
