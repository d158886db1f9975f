"""The wallet's demo accounts: each one PID, and what goes wrong with it (if anything)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WalletAccount:
    key: str
    given_name: str
    family_name: str
    birthdate: str
    issuing_country: str
    personal_number: str  # "" when the PID carries none
    note: str
    status_index: int  # the PID's entry in the provider's status list
    revoked: bool = False
    untrusted_issuer: bool = False
    wrong_nonce: bool = False
    refuses: bool = False


ACCOUNTS: tuple[WalletAccount, ...] = (
    # Anna Bērziņa of the demo: a Latvian PID with her personal code lands on her own identity.
    WalletAccount("anna", "Anna", "Bērziņa", "1985-03-15", "LV", "15038512346", "good PID", 0),
    WalletAccount("klaus", "Klaus", "Müller", "1979-11-02", "DE", "", "PID with no national identifier", 1),
    WalletAccount("revoked", "Ilze", "Ozola", "1990-06-01", "LV", "01069012349", "revoked PID", 2, revoked=True),
    WalletAccount(
        "untrusted", "Jānis", "Kalniņš", "1970-01-01", "LV", "01017012345", "untrusted issuer", 3, untrusted_issuer=True
    ),
    WalletAccount(
        "wrong-nonce", "Anna", "Bērziņa", "1985-03-15", "LV", "15038512346", "wrong nonce", 0, wrong_nonce=True
    ),
    WalletAccount("refuses", "Anna", "Bērziņa", "1985-03-15", "LV", "15038512346", "refuses to share", 0, refuses=True),
)


def account(key: str) -> WalletAccount | None:
    return next((a for a in ACCOUNTS if a.key == key), None)
