"""Alerts and barrings at the cap on the task system: each raised alert is sent by a worker (notices.send is safe to
run twice), each reached cap that bars is placed once (barring.barring_place) and followed up every minute."""

from __future__ import annotations

from selfcare.background.tasks import retrying_task
from selfcare.spend.barring import barring_place, barrings_follow_up
from selfcare.spend.exports import export_build
from selfcare.spend.notices import send


@retrying_task(attempts=3, backoff=60)
def send_spend_alert(alert_id: int) -> bool:
    return send(alert_id)


@retrying_task(attempts=3, backoff=60)
def place_cap_barring(barring_id: int) -> None:
    """Bar chargeable services at the cap (barring.barring_place: once, however often it runs)."""
    barring_place(barring_id)


@retrying_task(attempts=1, backoff=60)
def follow_up_cap_barrings() -> int:
    """Periodic: tell, lift at the cycle's end, and tell again (barring.barrings_follow_up)."""
    return barrings_follow_up()


@retrying_task(attempts=2, backoff=60)
def build_usage_export(export_id: str) -> None:
    """A large company usage export, written by a worker (exports.export_build leaves a finished one alone)."""
    export_build(export_id)
