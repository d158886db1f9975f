"""Login with a Latvian bank ("bank link"): Swedbank, SEB and Luminor sign HTML forms, Citadele signs XML.

The banks' current specifications are bilateral and unconfirmed (PROTOCOLS.md §3), so everything that differs
per bank is a profile (``profiles.py``) whose defaults follow the historic protocols and whose every value can
be changed in the settings. ``signed_form.py`` speaks the VK_/IB_ form family, ``citadele.py`` the AMAI XML
protocol, and ``nonces.py`` the rules common to all four: a random nonce bound to the browser, echoed by the
bank, fresh, and accepted once.
"""
