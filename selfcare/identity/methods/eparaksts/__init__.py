"""eParaksts (LVRTC e-Identity platform): OAuth 2.0 authorization code login with eParaksts Mobile, an eID card
(through the platform's card plugin) or eID Scan, free of the web layer.

- :mod:`.config` reads and checks the settings (the demo points at the simulator);
- :mod:`.client` builds the authorize URL, exchanges the code and turns the userinfo into a verified identity.

What the platform's userinfo sends (the official example, PROTOCOLS.md §2)::

    {"sub": "ddf12735f35675ecb652e6e1a80e41f1", "domain": "citizen",
     "acr": "urn:safelayer:tws:policies:authentication:level:high",
     "amr": ["urn:eparaksts:tws:policies:authentication:adaptive:methods:sc_plugin"],
     "given_name": "ANDRIS", "family_name": "PARAUDZIŠ", "name": "ANDRIS PARAUDZIŠ",
     "serial_number": "PNOLV-010180-15097", "eips": "VAS \\"Latvijas Valsts radio un televīzijas centrs\\""}

The person is keyed on ``serial_number`` only: ``sub`` is reportedly different for each method, so it is kept as
evidence and never used to find anyone.
"""
