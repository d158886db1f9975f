"""A stand-in for the operator's billing system: TMF678 Customer Bill Management over HTTP, with a PDF per bill.

It makes a monthly bill for each of the last six months for every customer account of the (shared) database, from
the tariff plans of the account's connections: the newest is unpaid and not yet due, the one before it is overdue,
older ones are settled. Demo only; the portal reaches it only through `selfcare.billing.client`.
"""
