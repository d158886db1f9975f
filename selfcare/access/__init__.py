"""Who may see and do what: the one place that answers "may this identity, in this context, do this to this
object?" Every page and every API call asks here; anything not granted below is denied.

A person acts in exactly one context at a time:

- **private** — the accounts whose contract carries one of the person's personal codes;
- **company** (main user) — a company whose power of attorney naming the person is in force;
- **work** (employee) — the company connections bound to the person after they proved they hold the number.

Missing and forbidden are the same answer (`NotFound`), so a guessed id, number or URL tells nothing.

The decisions live in `selfcare.access.contexts` (who has which context) and `selfcare.access.policy` (what a
context covers and may do); `selfcare.access.web` adapts them to views.

Staff (the back office) are digital identities too: `selfcare.access.staff` is the table of what each staff role
may open and do, `selfcare.access.models` holds the role grants and the four-eyes requests, and
`selfcare.access.services` writes them (audited).
"""
