"""Orders to the operator's order management (TMF622 productOrder), as the portal records them.

Who ordered what, in which context, on which connections, and where it stands. The operator's system decides;
the connection's view (plan, packs, barrings, SIM, suspension) changes only when it reports the order completed
(selfcare.orders.services.order_apply_state). An employee's request waits for the main user (`requested`) and
goes to the operator only once approved.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from selfcare.customers.models import Company, Connection
from selfcare.identity.models import DigitalIdentity


class OrderState(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the main user")
    DECLINED = "declined", _("Declined by the main user")
    ACKNOWLEDGED = "acknowledged", _("Received")
    IN_PROGRESS = "inProgress", _("In progress")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected")


FINAL_STATES = frozenset({OrderState.DECLINED, OrderState.COMPLETED, OrderState.FAILED, OrderState.REJECTED})
OPEN_AT_OPERATOR = (OrderState.ACKNOWLEDGED, OrderState.IN_PROGRESS)


class OrderKind(models.TextChoices):
    PLAN = "plan", _("Plan change")
    PACK_ADD = "pack_add", _("Pack added")
    PACK_REMOVE = "pack_remove", _("Pack removed")
    BAR = "bar", _("Service barred")
    UNBAR = "unbar", _("Barring lifted")
    SIM_BLOCK = "sim_block", _("SIM blocked")
    SIM_UNBLOCK = "sim_unblock", _("SIM unblocked")
    ESIM = "esim", _("Move to eSIM")
    SIM_REPLACE = "sim_replace", _("Replacement SIM card")
    LABEL = "label", _("User and cost centre")
    SUSPEND = "suspend", _("Suspended")
    RESUME = "resume", _("Resumed")
    # Placed by the portal itself when a connection's out-of-bundle spend reaches its cap and the cap's owner chose
    # to bar (selfcare/spend/barring.py): never ordered by hand, so no right in KIND_ACTION names them.
    CAP_BAR = "cap_bar", _("Chargeable services barred at the spend cap")
    CAP_LIFT = "cap_lift", _("Spend cap barring lifted")


class OrderQuerySet(models.QuerySet["Order"]):
    def open_at_operator(self) -> OrderQuerySet:
        return self.filter(state__in=OPEN_AT_OPERATOR).exclude(external_id="")


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # TMF622 externalId
    external_id = models.CharField(_("operator's order id"), max_length=100, blank=True, db_index=True)
    kind = models.CharField(_("what"), max_length=20, choices=OrderKind.choices)
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    context = models.CharField(_("context"), max_length=40)
    ordered_by = models.ForeignKey(
        DigitalIdentity, verbose_name=_("ordered by"), on_delete=models.PROTECT, related_name="orders"
    )
    decided_by = models.ForeignKey(
        DigitalIdentity,
        verbose_name=_("approved or declined by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_orders",
    )
    state = models.CharField(_("state"), max_length=20, choices=OrderState.choices)
    # Why it failed or was refused: the operator's words, and a code the portal says in the reader's language
    # (selfcare.orders.reasons; "portal:…" for what the portal itself found).
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reason_code = models.CharField(_("reason code"), max_length=60, blank=True)
    # What the operator returned that the person needs: the eSIM activation code (LPA string).
    activation_code = models.CharField(_("activation code"), max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("ordered"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    checked_at = models.DateTimeField(_("last asked"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ordered_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_idempotency_key_unique_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def reason_shown(self) -> str:
        """The reason in the active language, for people."""
        from selfcare.orders.reasons import reason_for_people

        return reason_for_people(self.reason_code, self.reason)


class ItemAction(models.TextChoices):
    ADD = "add"
    MODIFY = "modify"
    DELETE = "delete"


class OrderItem(models.Model):
    """One productOrderItem: one connection, one change."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    connection = models.ForeignKey(Connection, verbose_name=_("number"), on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=ItemAction.choices)
    offering = models.CharField(_("product offering"), max_length=100, blank=True)
    # The change itself, as TMF productCharacteristic name → value (e.g. {"simState": "lost"}).
    characteristics = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(_("price, EUR excl. VAT"), max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.offering}"


class EmployeeOrderRights(models.Model):
    """What a company lets its employees order on their own work number without the main user's approval.

    `actions` holds selfcare.access Action values out of EMPLOYEE_REQUESTS; none (the default) means every such
    order is a request the main user decides.
    """

    company = models.OneToOneField(
        Company, verbose_name=_("company"), primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    actions = models.JSONField(_("orders employees place themselves"), default=list, blank=True)
    changed_by = models.ForeignKey(
        DigitalIdentity,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("employees' order rights")
        verbose_name_plural = _("employees' order rights")

    def __str__(self) -> str:
        return str(self.company_id)


class NewConnectionState(models.TextChoices):
    """Where a new connection's order stands: the wizard's draft, then the operator's states (TMF622), or stopped
    by the portal (the right to order for the company ended before submission)."""

    DRAFT = "draft", _("Being filled in")
    STOPPED = "stopped", _("Stopped")
    ACKNOWLEDGED = "acknowledged", _("Received")
    IN_PROGRESS = "inProgress", _("In progress")
    COMPLETED = "completed", _("Number active")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected")


NEW_CONNECTION_OPEN = (NewConnectionState.DRAFT, NewConnectionState.ACKNOWLEDGED, NewConnectionState.IN_PROGRESS)
NEW_CONNECTION_FINAL = frozenset(
    {NewConnectionState.STOPPED, NewConnectionState.COMPLETED, NewConnectionState.FAILED, NewConnectionState.REJECTED}
)


class NumberChoice(models.TextChoices):
    NEW = "new", _("A new number")
    PORT = "port", _("Keep my number from another operator")


class SimKind(models.TextChoices):
    SIM = "sim", _("SIM card by post")
    ESIM = "esim", _("eSIM")


class NewConnectionQuerySet(models.QuerySet["NewConnectionOrder"]):
    def open(self) -> NewConnectionQuerySet:
        """Drafts and orders the operator has not finished: what the open-order limits count."""
        return self.filter(state__in=NEW_CONNECTION_OPEN)


class NewConnectionOrder(models.Model):
    """A new connection (a new contract) ordered after an eID login, privately or for a company.

    The wizard fills it step by step (selfcare.orders.new_connection); everything typed is kept here, server-side.
    The contract is signed in the portal and kept in the documents storage before the order goes to the operator.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # TMF622 externalId
    ordered_by = models.ForeignKey(
        DigitalIdentity, verbose_name=_("ordered by"), on_delete=models.PROTECT, related_name="new_connections"
    )
    # "private" or the company's context key ("company-12", "representative-12"): re-checked at every step.
    context = models.CharField(_("context"), max_length=40)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="new_connections",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=NewConnectionState.choices, default=NewConnectionState.DRAFT
    )
    plan_code = models.CharField(_("plan"), max_length=100, blank=True)
    plan_name = models.CharField(_("plan name"), max_length=200, blank=True)
    monthly_price = models.DecimalField(_("monthly price, EUR"), max_digits=8, decimal_places=2, null=True, blank=True)
    price_includes_vat = models.BooleanField(default=True)
    term_months = models.PositiveSmallIntegerField(_("minimum term, months"), default=0)
    number_choice = models.CharField(_("number"), max_length=10, choices=NumberChoice.choices, blank=True)
    msisdn = models.CharField(_("number"), max_length=20, blank=True)
    # The free numbers the operator offered this order: the only ones that may be chosen.
    offered_numbers = models.JSONField(default=list, blank=True)
    donor_operator = models.CharField(_("current operator"), max_length=40, blank=True)
    porting_date = models.DateField(_("porting date"), null=True, blank=True)
    number_confirmed_at = models.DateTimeField(_("number confirmed by its holder"), null=True, blank=True)
    sim_kind = models.CharField(_("SIM"), max_length=10, choices=SimKind.choices, blank=True)
    delivery = models.JSONField(_("delivery address"), default=dict, blank=True)
    contract_name = models.CharField(_("signed contract"), max_length=200, blank=True)
    contract_sha256 = models.CharField(max_length=64, blank=True)
    contract_language = models.CharField(max_length=5, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    external_id = models.CharField(_("operator's order id"), max_length=100, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reason_code = models.CharField(_("reason code"), max_length=60, blank=True)
    activation_code = models.CharField(_("activation code"), max_length=300, blank=True)
    connection = models.ForeignKey(
        Connection, verbose_name=_("connection"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the back office must look: the eSIM was never made ready, or the delivery address is used often.
    flagged = models.CharField(_("flagged to the back office"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("ordered"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    checked_at = models.DateTimeField(_("last asked"), null=True, blank=True)

    objects = NewConnectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("new connection order")
        verbose_name_plural = _("new connection orders")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.plan_code} {self.msisdn} ({self.get_state_display()})"

    @property
    def is_final(self) -> bool:
        return self.state in NEW_CONNECTION_FINAL

    @property
    def reason_shown(self) -> str:
        from selfcare.orders.reasons import reason_for_people

        return reason_for_people(self.reason_code, self.reason)
