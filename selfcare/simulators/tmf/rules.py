"""How the simulated order management treats an order: the rule table, first match wins.

Keyed on the number (its last digits) and the offering, so the demo and the tests can choose an outcome:

| match                              | outcome                                                              |
|------------------------------------|----------------------------------------------------------------------|
| a number ending in 9966            | rejected at once: "the number has a contract change in progress"     |
| a number ending in 9913            | failed after the usual time: "the network element did not answer"   |
| a number ending in 9977            | stays in progress for 10 minutes (slow network provisioning)         |
| a port-in of a number ending 9955  | rejected after the usual time: the donor operator refuses the port   |
| a plan for the other segment       | rejected at once: the plan is not sold to this kind of account       |
| anything else                      | completed after SIMULATOR_TMF_ORDER_SECONDS                          |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from selfcare.simulators.tmf.catalogue import SEGMENT_OF


@dataclass(frozen=True, slots=True)
class Outcome:
    state: str  # "completed", "failed" or "rejected"
    seconds: float  # from acknowledged to the outcome (0: at once)
    reason: str = ""
    code: str = ""  # the errorMessage code, as an operator's system names its reasons


SLOW_SECONDS = 600.0


def outcome_for(order: dict[str, Any]) -> Outcome:
    usual = float(settings.SIMULATOR_TMF_ORDER_SECONDS)
    segment = str(order.get("category", ""))
    for item in order.get("productOrderItem", []):
        number = str((item.get("product") or {}).get("name", ""))
        offering = str((item.get("productOffering") or {}).get("id", ""))
        if number.endswith("9966"):
            return Outcome("rejected", 0, "The number has a contract change in progress.", "CONTRACT_CHANGE_PENDING")
        if offering in SEGMENT_OF and segment and segment not in SEGMENT_OF[offering]:
            return Outcome("rejected", 0, "This offering is not sold to this kind of account.", "OFFER_NOT_FOR_SEGMENT")
        if number.endswith("9913"):
            return Outcome("failed", usual, "The network element did not answer.", "NETWORK_TIMEOUT")
        if number.endswith("9955") and _characteristic(item, "portIn") == "true":
            return Outcome("rejected", usual, "The donor operator refused the porting request.", "PORTING_REFUSED")
        if number.endswith("9977"):
            return Outcome("completed", SLOW_SECONDS)
    return Outcome("completed", usual)


def _characteristic(item: dict[str, Any], name: str) -> str:
    for characteristic in (item.get("product") or {}).get("productCharacteristic") or []:
        if isinstance(characteristic, dict) and characteristic.get("name") == name:
            return str(characteristic.get("value", ""))
    return ""
