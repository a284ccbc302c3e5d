"""How pages, messages and exports write dates and times: one format everywhere (YYYY-MM-DD, local time),
never the locale's (which would read 2027年3月31日)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone


def day_text(value) -> str:
    """A date as ``2027-03-31`` ("" for none)."""
    return value.strftime("%Y-%m-%d") if value else ""


def when_text(value) -> str:
    """A stored time as the city reads it, ``2027-03-31 08:00`` in local time ("" for none)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def rate(part: int | None, whole: int | None) -> Decimal | None:
    """``part`` of ``whole`` in percent with one decimal, half up (56.7); None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def percent_text(part: int | None, whole: int | None) -> str:
    """The same as text, "56.7%" ("—" when there is no whole): how refusals, flags and pages write a share."""
    value = rate(part, whole)
    return "—" if value is None else f"{value}%"
