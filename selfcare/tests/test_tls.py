"""The shared TLS client context (selfcare/tls.py): made once, and made again when the trust store changes."""

from __future__ import annotations

import pytest

from selfcare import tls
from selfcare.simulators.smartid.pki import test_ca


def test_outgoing_clients_share_one_context_until_the_trust_store_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    first = tls.client_context()
    assert tls.client_context() is first
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca().root.cert_path))
    changed = tls.client_context()
    assert changed is not first
    assert len(changed.get_ca_certs()) == 1  # only the test root is trusted now
