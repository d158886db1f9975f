"""An EU Digital Identity Wallet and its PID provider, for the demo and tests (OpenID4VP 1.0, SD-JWT VC).

The page a wallet app would show: it fetches our signed request, checks it against the test PKI, shows what is
asked and answers with an encrypted ``direct_post.jwt`` to the portal's response_uri. The PID provider signs
PIDs and publishes their status list (``status/``).
"""
