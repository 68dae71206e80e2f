"""A shop's policy numbers (from `shop.yaml`): what analysis, plans and guardrails may rely on.

A shop without a profile gets `ShopProfile.strict()`: no codes, no refunds without escalation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from drafter.core.models import Tier


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ShopInfo(_Part):
    id: str
    name: str
    name_zh: str | None = None
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"


class ServiceHours(_Part):
    open: str = "09:00"
    close: str = "21:00"


class SlaMinutes(_Part):
    urgent: int = Field(default=15, ge=1)
    routine: int = Field(default=120, ge=1)
    non_urgent: int = Field(default=1440, ge=1)


class Shipping(_Part):
    free_shipping_threshold_cny: Decimal = Decimal(99)
    express_upgrade_cny: Decimal = Decimal(12)
    carriers: dict[str, str] = {}


class TierCompensation(_Part):
    max_code_cny: Decimal = Decimal(0)
    codes: list[str] = []
    free_express_upgrade: bool = False
    gift: bool = False


class DiscountCode(_Part):
    value_cny: Decimal | None = None
    percent: Decimal | None = None
    min_spend_cny: Decimal | None = None
    valid_days: int | None = None
    use: str = ""


class RefundAuthority(_Part):
    agent_max_cny: Decimal = Decimal(0)


class Returns(_Part):
    no_reason_days: int = 7
    refund_to_account_business_days: str = "3-5"
    keep_it_partial_refund_max_item_cny: Decimal = Decimal(0)
    keep_it_partial_refund_max_percent: int = 0


class Exchanges(_Part):
    apparel_days: int = 0


class DamagedRule(_Part):
    replace_without_return_max_cny: Decimal = Decimal(0)


class WrongItemRule(_Part):
    keep_wrong_item_max_cny: Decimal = Decimal(0)


class Incidents(_Part):
    report_within_hours: int = 48
    damaged: DamagedRule = DamagedRule()
    wrong_item: WrongItemRule = WrongItemRule()


class Escalation(_Part):
    to: dict[str, str] = {"default": "team lead"}
    reply_promise_hours: int = 2


class ProductInfo(_Part):
    name: str
    name_zh: str | None = None
    price: Decimal


class ShopProfile(_Part):
    """Typed view of `shop.yaml`; unknown keys are kept out, missing ones take strict defaults."""

    shop: ShopInfo
    service_hours: ServiceHours = ServiceHours()
    sla_minutes: SlaMinutes = SlaMinutes()
    shipping: Shipping = Shipping()
    compensation: dict[Literal["bronze", "silver", "gold"], TierCompensation] = {}
    discount_codes: dict[str, DiscountCode] = {}
    refund_authority: RefundAuthority = RefundAuthority()
    incidents: Incidents = Incidents()
    returns: Returns = Returns()
    exchanges: Exchanges = Exchanges()
    apparel_warranty_days: int = 0
    escalation: Escalation = Escalation()
    products: dict[str, ProductInfo] = {}

    @classmethod
    def strict(cls, shop: str) -> ShopProfile:
        return cls(shop=ShopInfo(id=shop, name=shop))

    def tier_compensation(self, tier: Tier | None) -> TierCompensation:
        """Customers with no known tier are treated as the lowest tier."""
        return self.compensation.get(tier or "bronze", TierCompensation())

    def code_value(self, code: str) -> DiscountCode | None:
        return self.discount_codes.get(code.upper())


def amount_text(value: Decimal) -> str:
    """A bare amount as the shop writes it ("20", "12.5"; never "2E+1"); the currency is said elsewhere."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
