"""Bills from the operator's billing system, through its TM Forum TMF678 Customer Bill Management API.

- `config` — where the API is and how we authenticate (BILLING_* settings; the demo's simulator by default);
- `client` — the HTTP client: the bills of a billing account, one bill, its document (PDF), as `Bill` values;
- `selectors` — the bills a context may see: access decided by `selfcare.access.policy`, then the client asked.

The billing system is the source of truth: nothing about a bill is stored here. When it cannot be reached (or
answers nonsense), every caller gets `BillingUnavailable`, shown as one translated message, never an error page.
"""
