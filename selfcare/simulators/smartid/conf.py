"""The settings the simulator reads, each optional with the default SK's demo environment uses."""

from __future__ import annotations

from django.conf import settings

from selfcare.identity.methods.smartid.protocol import DEFAULT_SCHEME_NAME

DEMO_RP_UUID = "00000000-0000-4000-8000-000000000000"
DEMO_RP_NAME = "DEMO"


def rp_uuid() -> str:
    """The only relyingPartyUUID accepted (``SMARTID_RP_UUID``); SK authenticates RPs by it (and source IP)."""
    # An empty setting means the demo UUID, as it does for the portal's client.
    return str(getattr(settings, "SMARTID_RP_UUID", "") or DEMO_RP_UUID)


def rp_name() -> str:
    """The only relyingPartyName accepted (``SMARTID_RP_NAME``): SK refuses names not registered to the UUID."""
    return str(getattr(settings, "SMARTID_RP_NAME", "") or DEMO_RP_NAME)


def scheme_name() -> str:
    """The scheme name signed into ACSP_V2 (``SMARTID_SCHEME_NAME``); must equal the portal's, or nothing verifies."""
    return str(getattr(settings, "SMARTID_SCHEME_NAME", DEFAULT_SCHEME_NAME))


def timeout_delay_seconds() -> float:
    """How old a session of the "Times out" account gets before it ends TIMEOUT (``SMARTID_SIM_TIMEOUT_SECONDS``)."""
    return float(getattr(settings, "SMARTID_SIM_TIMEOUT_SECONDS", 3))


def qr_max_age_seconds() -> float:
    """How old a QR device link may be when opened (``SMARTID_SIM_QR_MAX_AGE_SECONDS``).

    The portal must rebuild the QR code every second; a stale code in a screenshot must not log anyone in.
    """
    return float(getattr(settings, "SMARTID_SIM_QR_MAX_AGE_SECONDS", 60))


def auto_confirm_codes() -> frozenset[str]:
    """Demo persons whose phone confirms every notification by itself (``SMARTID_SIM_AUTO_CONFIRM``, personal codes).

    For the load test only (`make load` sets it): 200 simulated people cannot press Confirm on a phone page. Empty
    by default, and the simulators exist only in demo mode, so no real login can ever be confirmed this way.
    """
    codes = getattr(settings, "SMARTID_SIM_AUTO_CONFIRM", ())
    return frozenset(code.replace("-", "") for code in codes)
