"""The shapes the intake API reads and writes; their descriptions become the OpenAPI document."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, ConfigDict, StringConstraints

from returns.models import DeliveryAttempt, FailedPackage


def _without_nul(value: str) -> str:
    # PostgreSQL cannot store a NUL in text: refused here, the answer names the field.
    if "\x00" in value:
        raise ValueError("a NUL character (\\u0000) cannot be stored")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_without_nul)]
Required = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_without_nul)
]

EVENT_ID = Field(
    max_length=100,
    description="Your unique id for this event. Sending it again returns the first answer.",
)
TRACKING_NUMBER = Field(max_length=64, description="The provider's tracking number.")
NOTE_MAX_LENGTH = DeliveryAttempt._meta.get_field("courier_note").max_length


class Event(Schema):
    # A misspelt optional field would otherwise vanish without a word.
    model_config = ConfigDict(extra="forbid")

    event_id: Required = EVENT_ID
    tracking_number: Required = TRACKING_NUMBER


class ReturnRegistered(Event):
    """A return package is on its way back to the seller."""

    type: Literal["return_registered"]
    shop_code: Required = Field(max_length=40, description="The seller's shop code.")
    order_id: Required = Field(max_length=64)
    return_id: Text = Field("", max_length=64)
    description: Text = Field("", max_length=300)
    weight_grams: int | None = Field(None, ge=0, le=2_147_483_647)
    declared_value: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("", pattern=r"^([A-Z]{3})?$", description="ISO 4217, e.g. THB.")
    warehouse_location: Text = Field(
        "", max_length=64, description="Bin or shelf where the package waits."
    )
    occurred_at: AwareDatetime = Field(description="When the return was registered.")


class DeliveryAttemptFailed(Event):
    """A try at delivering the package to the seller failed. The third one fails the package."""

    type: Literal["delivery_attempt_failed"]
    attempted_at: AwareDatetime
    failure_reason: Required = Field(max_length=200, description="e.g. “Nobody at the address”.")
    courier_note: Text = Field("", max_length=NOTE_MAX_LENGTH)


class DeliveredToSeller(Event):
    """The seller received the package."""

    type: Literal["delivered_to_seller"]
    delivered_at: AwareDatetime


class SellerRejected(Event):
    """The seller refused the package at delivery; it goes to destruction."""

    type: Literal["seller_rejected"]
    rejected_at: AwareDatetime
    note: Text = Field("", max_length=NOTE_MAX_LENGTH)


AnyEvent = Annotated[
    ReturnRegistered | DeliveryAttemptFailed | DeliveredToSeller | SellerRejected,
    Field(discriminator="type"),
]


class EventAnswer(Schema):
    event_id: str
    type: str
    tracking_number: str
    public_id: str = Field(description="The package's id in portal links.")
    status: FailedPackage.Status
    reason: str = Field(description="`seller_rejected`, `delivery_failed`, or empty.")
    claim_deadline: datetime | None = Field(
        description="Until when the seller may claim the package (UTC); set once it failed."
    )
    attempts: int = Field(description="Delivery attempts recorded so far.")


class AttemptOut(Schema):
    number: int
    attempted_at: datetime
    outcome: str
    failure_reason: str
    courier_note: str


class PackageOut(Schema):
    tracking_number: str
    public_id: str
    shop_code: str = Field(alias="seller.shop_code")
    order_id: str
    return_id: str
    status: FailedPackage.Status
    reason: str
    registered_at: datetime
    failed_at: datetime | None
    claim_deadline: datetime | None
    returned_at: datetime | None
    destroyed_at: datetime | None
    attempts: list[AttemptOut]


class FieldProblem(Schema):
    field: str = Field(description="The field at fault, e.g. `shop_code`; `body` for the whole.")
    message: str


class Problems(Schema):
    detail: list[FieldProblem]


class Refusal(Schema):
    detail: str = Field(description="Why, in words for a person.")
