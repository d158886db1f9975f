"""A Smart-ID RP API v3 simulator speaking the real HTTP API, so the portal's production client runs unchanged.

- :mod:`.api`: the relying-party endpoints (start a session, poll its status), JSON in and out;
- :mod:`.phone`: the person's side — a "phone" page per demo account for notifications and the device-link
  page a QR code or Web2App link opens;
- :mod:`.sessions`: session state kept in Django's cache; :mod:`.answers`: how a session ends;
- :mod:`.accounts`: the demo accounts and their behaviours; :mod:`.pki`: their certificates.

It answers only while ``settings.SELFCARE_DEMO`` is on (:mod:`.gate`).
"""
