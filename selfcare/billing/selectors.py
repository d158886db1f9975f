"""The bills a context may see, shared by the portal's pages and the app API.

Access first (`selfcare.access.policy.billing_accounts_in`), then the billing system: a context that may not see
bills never makes the portal call the operator. A bill of an account outside the context is `NotFound`, the same
answer as a bill that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from selfcare.access.contexts import Action, Context, NotFound
from selfcare.access.policy import billing_accounts_in
from selfcare.billing.client import Bill, BillNotFound, billing_client
from selfcare.customers.models import CustomerAccount


@dataclass(frozen=True, slots=True)
class AccountBills:
    account: CustomerAccount
    bills: list[Bill]


def bills_visible(context: Context) -> list[AccountBills]:
    """Each account the context may see bills of, with its bills (newest first). BillingUnavailable passes up."""
    accounts = list(billing_accounts_in(context, Action.VIEW_BILLS).order_by("account_number"))
    if not accounts:
        return []
    client = billing_client()
    return [AccountBills(account, client.bills_of(account.account_number)) for account in accounts]


def bill_visible(context: Context, bill_id: str) -> tuple[CustomerAccount, Bill]:
    """The bill and its account, if this context may see it; NotFound otherwise. BillingUnavailable passes up."""
    accounts = {a.account_number: a for a in billing_accounts_in(context, Action.VIEW_BILLS)}
    if not accounts:
        raise NotFound(bill_id)
    try:
        bill = billing_client().bill(bill_id)
    except BillNotFound:
        raise NotFound(bill_id) from None
    account = accounts.get(bill.billing_account_id)
    if account is None:
        raise NotFound(bill_id)
    return account, bill


def bill_document(context: Context, bill_id: str) -> tuple[CustomerAccount, Bill, bytes]:
    """The bill's PDF, if this context may see the bill; NotFound otherwise."""
    account, bill = bill_visible(context, bill_id)
    try:
        return account, bill, billing_client().document(bill)
    except BillNotFound:
        raise NotFound(bill_id) from None
