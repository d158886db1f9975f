"""A stand-in for LVRTC's e-Identity platform (eParaksts), demo and tests only, mounted at ``/simulators/eparaksts/``.

It speaks the platform's OAuth 2.0 authorization code flow (PROTOCOLS.md §2) under the real paths, so the portal's
production client runs against it with only ``EPARAKSTS_URL`` changed:

- ``trustedx-authserver/oauth/lvrtc-eipsign-as`` — the authorize page: one page per flow (by ``acr_values``) where
  a demo person is chosen and confirms or cancels;
- ``trustedx-authserver/oauth/lvrtc-eipsign-as/token`` — the code exchange (HTTP Basic client credentials);
- ``trustedx-resources/openid/v1/users/me`` — the userinfo, shaped like the official example.

and, not a platform path, ``sign/``: the demo's stand-in for signing a document in the eParaksts app (a PDF back
with a PAdES signature, or an .edoc), with keys from the test CA (``signing.py``).

State lives in Django's cache under ``eparaksts-sim:`` keys.
"""
