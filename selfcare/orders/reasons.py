"""Why an order failed or was refused, said in the reader's language.

The operator's system gives a reason as a code and a text in its own language (TMF622 `errorMessage`: `code`,
`reason`). Codes differ between operators, so `ORDERING_REASON_CODES` maps the operator's codes to the reasons the
portal can say in lv/en/ru (REASONS); a code it does not know is shown as the operator's own text, marked as theirs.
Reasons the portal finds itself ("portal:…") are stored as codes and said in the language of whoever reads them.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REFUSED = "portal:refused"
UNAVAILABLE = "portal:unavailable"
RIGHTS_ENDED = "portal:rights-ended"

REASONS: dict[str, Promise] = {
    REFUSED: gettext_lazy("The operator's system refused the order."),
    UNAVAILABLE: gettext_lazy("The operator's system did not answer. Nothing was changed; please try again later."),
    RIGHTS_ENDED: gettext_lazy(
        "Your right to order for this company ended before the order was sent. Nothing was ordered."
    ),
    "contract-change-pending": gettext_lazy(
        "The number has another change in progress. Please order again when it is done."
    ),
    "not-for-segment": gettext_lazy("This offer is not sold to this kind of account."),
    "network": gettext_lazy("The operator's network did not make the change. Nothing was changed; please try again."),
    "not-eligible": gettext_lazy("The number cannot have this change. Customer service can say why."),
    "porting-refused": gettext_lazy(
        "Your current operator refused to let the number go (for example, the contract there has not ended or the "
        "number is in another person's name). Ask them, then order again."
    ),
}


def reason_for_people(code: str, text: str) -> str:
    """The reason in the active language: a known code in our words, otherwise the operator's text as theirs."""
    known = code if code.startswith("portal:") else settings.ORDERING_REASON_CODES.get(code, "")
    if known in REASONS:
        return str(REASONS[known])
    if text:
        return _("The operator's system says: %(reason)s") % {"reason": text}
    return ""
