"""The OpenID4VP 1.0 verifier: a transaction, its signed request object, and the wallet's encrypted answer.

One login is one transaction, kept in the cache (Redis in production) under an unguessable id, because the
wallet's answer arrives on a request of its own (``direct_post.jwt`` to our ``response_uri``), not in the
browser's session. The request object is fetched by the wallet from ``request_uri`` (a QR code holds little)
and signed with our access certificate; its ``client_id`` is the certificate's hash (``x509_hash``, HAIP 1.0).
The answer is a JWE (ECDH-ES, A128GCM or A256GCM) to a key made for this transaction alone.
"""

from __future__ import annotations

import base64
import functools
import hmac
import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes, serialization
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.base import BadResponse, Cancelled, Refused, TimedOut, VerifiedIdentity
from selfcare.identity.methods.wallet.config import WalletConfig, wallet_config
from selfcare.identity.methods.wallet.sdjwt import verify_presentation
from selfcare.identity.methods.wallet.statuslist import check_status, fetch_status_list

METHOD = "eudi-wallet"
PID_VCT = "urn:eudi:pid:1"  # PID Rulebook (ARF annex 3.01) SD-JWT VC type
CREDENTIAL_ID = "pid"
ENCRYPTION = ["ECDH-ES", "A128GCM", "A256GCM"]
# Only what the portal needs (data minimisation, and what the registration of the relying party lists).
NAMES = ("family_name", "given_name", "birthdate", "issuing_country")
PERSONAL_NUMBER = "personal_administrative_number"
_WALLET_ERROR = re.compile(r"^[a-z_]{1,40}$")
_PREFIX = "wallet:transaction:"


def dcql_query() -> dict[str, Any]:
    """The names, birth date and issuing country, and the personal number where the PID has one (claim_sets are
    tried in order: OpenID4VP 1.0 §6.4.1)."""
    claims = [{"id": name, "path": [name]} for name in (*NAMES, PERSONAL_NUMBER)]
    return {
        "credentials": [
            {
                "id": CREDENTIAL_ID,
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [PID_VCT]},
                "claims": claims,
                "claim_sets": [[*NAMES, PERSONAL_NUMBER], list(NAMES)],
            }
        ]
    }


@dataclass(frozen=True)
class Transaction:
    id: str
    nonce: str
    state: str
    response_code: str  # given back to a same-device browser: it proves the answer came for this browser's login
    encryption_key: dict[str, Any]  # private JWK; never leaves the server
    created_at: float
    outcome: dict[str, Any] | None = None  # set when the wallet answered: {"verified": …} or {"error": …}

    def save(self, timeout: int) -> None:
        cache.set(_PREFIX + self.id, asdict(self), timeout)

    @classmethod
    def load(cls, transaction_id: str) -> Transaction | None:
        data = cache.get(_PREFIX + transaction_id) if transaction_id else None
        return cls(**data) if isinstance(data, dict) else None

    def delete(self) -> None:
        cache.delete(_PREFIX + self.id)


def start_transaction() -> Transaction:
    key = ECKey.generate_key("P-256", parameters={"kid": secrets.token_urlsafe(8), "use": "enc", "alg": "ECDH-ES"})
    transaction = Transaction(
        id=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(32),
        state=secrets.token_urlsafe(32),
        response_code=secrets.token_urlsafe(32),
        encryption_key=key.as_dict(private=True),
        created_at=time.time(),
    )
    transaction.save(wallet_config().max_age_s)
    return transaction


def invocation_link(transaction: Transaction, *, request_uri: str, config: WalletConfig | None = None) -> str:
    """The link the QR code holds and the same-device button opens (OpenID4VP 1.0 §5.10, by reference)."""
    config = config or wallet_config()
    query = urlencode({"client_id": config.client_id, "request_uri": request_uri})
    separator = "&" if "?" in config.invocation_url else ("" if config.invocation_url.endswith("//") else "?")
    return f"{config.invocation_url}{separator}{query}"


def request_object(transaction: Transaction, *, response_uri: str) -> str:
    """The signed authorization request (``typ`` oauth-authz-req+jwt) the wallet fetches from request_uri."""
    config = wallet_config()
    public = ECKey.import_key(transaction.encryption_key).as_dict(private=False)
    now = int(time.time())
    claims = {
        "iss": config.client_id,
        "aud": "https://self-issued.me/v2",
        "client_id": config.client_id,
        "response_type": "vp_token",
        "response_mode": "direct_post.jwt",
        "response_uri": response_uri,
        "nonce": transaction.nonce,
        "state": transaction.state,
        "dcql_query": dcql_query(),
        "client_metadata": {
            "jwks": {"keys": [public]},
            "encrypted_response_enc_values_supported": ["A128GCM", "A256GCM"],
            "vp_formats_supported": {"dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}},
        },
        "iat": now,
        "exp": now + config.max_age_s,
    }
    x5c = [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in config.access_chain]
    header = {"alg": "ES256", "typ": "oauth-authz-req+jwt", "x5c": x5c}
    return jws.serialize_compact(header, json.dumps(claims).encode(), ECKey.import_key(config.access_key))


def verify_answer(transaction: Transaction, form: dict[str, str]) -> VerifiedIdentity:
    """The wallet's POST to response_uri (``response`` = JWE, or ``error`` + ``state``) as a verified identity."""
    config = wallet_config()
    if time.time() - transaction.created_at > config.max_age_s:
        raise TimedOut(reason="state_expired")
    if form.get("error"):
        _check_state(transaction, form.get("state", ""))
        error = form["error"]
        if error == "access_denied":
            raise Cancelled(reason="access_denied")
        raise Refused(error if _WALLET_ERROR.match(error) else "wallet_error")
    try:
        decrypted = jwe.decrypt_compact(
            form.get("response", ""), ECKey.import_key(transaction.encryption_key), algorithms=ENCRYPTION
        )
        answer = json.loads(decrypted.plaintext or b"")
    except (JoseError, ValueError) as error:
        raise Refused("bad_encryption") from error
    if not isinstance(answer, dict):
        raise BadResponse(reason="not_an_object")
    _check_state(transaction, str(answer.get("state", "")))
    presentations = (
        (answer.get("vp_token") or {}).get(CREDENTIAL_ID) if isinstance(answer.get("vp_token"), dict) else None
    )
    if not isinstance(presentations, list) or len(presentations) != 1 or not isinstance(presentations[0], str):
        raise BadResponse(reason="no_pid")
    now = timezone.now()
    status = functools.partial(
        check_status,
        trusted=config.trusted_providers,
        now=now,
        fetch=functools.partial(fetch_status_list, timeout=config.status_timeout_s),
    )
    claims = verify_presentation(
        presentations[0],
        trusted=config.trusted_providers,
        nonce=transaction.nonce,
        audience=config.client_id,
        now=now,
        check_status=status,
    )
    return identity_from_pid(claims, issuer=_issuer_fingerprint(presentations[0]))


def _check_state(transaction: Transaction, state: str) -> None:
    if not state or not hmac.compare_digest(state, transaction.state):
        raise Refused("state_mismatch")


def _issuer_fingerprint(presentation: str) -> str:
    from cryptography import x509

    from selfcare.identity.methods.wallet.sdjwt import unverified_header

    x5c = unverified_header(presentation.split("~")[0]).get("x5c") or [""]
    certificate = x509.load_der_x509_certificate(base64.b64decode(x5c[0]))
    return certificate.fingerprint(hashes.SHA256()).hex()


def identity_from_pid(claims: dict[str, Any], *, issuer: str) -> VerifiedIdentity:
    """The PID's names and, where it states one, the national personal number of its issuing country."""
    values = {name: claims.get(name) for name in (*NAMES, PERSONAL_NUMBER)}
    if not all(isinstance(values[name], str) and values[name] for name in NAMES):
        raise Refused("missing_fields")
    country = str(values["issuing_country"]).upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise Refused("missing_fields", "issuing_country")
    stated = values[PERSONAL_NUMBER]
    number = stated.strip() if isinstance(stated, str) else ""
    if number and country == "LV":
        try:
            number = PersonalCode.parse(number).code
        except ValidationError as error:
            raise Refused("bad_personal_code") from error
    return VerifiedIdentity(
        method=METHOD,
        country=country,
        personal_code=number,
        given_name=str(values["given_name"]),
        family_name=str(values["family_name"]),
        level="high",  # a PID from a notified wallet is at level of assurance high (eIDAS Art. 5a(11))
        evidence={"certificate_sha256": issuer, "birthdate": str(values["birthdate"]), "vct": PID_VCT},
    )
