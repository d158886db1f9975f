"""Alerts on the task system: each raised alert is sent by a worker (notices.send is safe to run twice)."""

from __future__ import annotations

from selfcare.background.tasks import retrying_task
from selfcare.spend.notices import send


@retrying_task(attempts=3, backoff=60)
def send_spend_alert(alert_id: int) -> bool:
    return send(alert_id)
