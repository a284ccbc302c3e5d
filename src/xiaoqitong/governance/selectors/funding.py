"""Reads of the reward fund (六（十七）, annex task 15): the students per major category of each school
weighted by the funding rules' coefficients, and the apportionment of a whole number of yuan.

How an allocation splits its fund (``services.funding.allocation_compute``):

- the score pool is ``fund × score_share`` rounded to the yuan (half up), the student pool the rest;
- the score pool goes to the schools whose assessment total is at least ``min_score`` (and above 0), in
  proportion to their totals;
- the student pool goes to every school in proportion to its weighted students: Σ over the school's
  ``SchoolMajor`` rows of the year of ``students_enrolled`` × the coefficient of its major's category (1 for
  a category without a rule);
- each pool is apportioned in whole yuan (:func:`apportion`): every share is rounded down and the yuan left
  over go one each to the largest shares, so each pool, and the fund, add up exactly.
"""

from collections import defaultdict
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ONE = Decimal("1")
YUAN = Decimal("1")


def coefficients() -> dict[int, tuple[str, Decimal]]:
    """Per major category id: (category code, coefficient) of the funding rules. One query."""
    from ..models import FundingRule

    return {
        cat_id: (code, coef)
        for cat_id, code, coef in FundingRule.objects.values_list(
            "category_id", "category__code", "coefficient"
        )
    }


def weighted_students(year: int, rules: dict[int, tuple[str, Decimal]] | None = None) -> dict[int, dict]:
    """Per school id: ``students`` (enrolled in its majors of school year ``year``), ``weighted`` and
    ``categories`` (one dict per major category: code, name, students, coefficient, weighted). One query
    (two without ``rules``)."""
    from django.db.models import Sum

    from xiaoqitong.schools.models import SchoolMajor

    rules = coefficients() if rules is None else rules
    rows = (
        SchoolMajor.objects.filter(year=year)
        .order_by()
        .values(
            "school_id",
            "major__major_class__category_id",
            "major__major_class__category__code",
            "major__major_class__category__name",
        )
        .annotate(n=Sum("students_enrolled"))
    )
    out: dict[int, dict] = defaultdict(lambda: {"students": 0, "weighted": Decimal(0), "categories": []})
    for row in rows:
        n = int(row["n"] or 0)
        cat_id = row["major__major_class__category_id"]
        coef = rules.get(cat_id, ("", ONE))[1]
        weighted = Decimal(n) * coef
        school = out[row["school_id"]]
        school["students"] += n
        school["weighted"] += weighted
        school["categories"].append(
            {
                "code": row["major__major_class__category__code"],
                "name": row["major__major_class__category__name"],
                "students": n,
                "coefficient": str(coef),
                "weighted": str(weighted),
                "has_rule": cat_id in rules,
            }
        )
    for school in out.values():
        school["categories"].sort(key=lambda c: c["code"])
    return dict(out)


def pools(fund: Decimal, score_share: Decimal) -> tuple[int, int]:
    """The score pool (``fund × score_share`` rounded to the yuan, half up) and the student pool (the
    rest)."""
    total = int(fund)
    by_score = int((Decimal(fund) * Decimal(score_share)).quantize(YUAN, ROUND_HALF_UP))
    by_score = min(max(by_score, 0), total)
    return by_score, total - by_score


def apportion(total: int, weights: list[Decimal], keys: list | None = None) -> list[int]:
    """Split ``total`` whole yuan in proportion to ``weights`` (all ≥ 0, some > 0 when ``total`` > 0): each
    share rounded down, the yuan left over given one each to the largest shares (ties: the larger exact
    share first, then the order of ``keys`` or of the weights). The result adds up to ``total`` exactly."""
    if total == 0 or not weights:
        return [0] * len(weights)
    whole = sum(weights, Decimal(0))
    if whole <= 0:
        raise ValueError("nothing to apportion by")
    exact = [Decimal(total) * Decimal(w) / whole for w in weights]
    shares = [int(e.to_integral_value(ROUND_DOWN)) for e in exact]
    left = total - sum(shares)
    keys = keys if keys is not None else list(range(len(weights)))
    order = sorted(range(len(weights)), key=lambda i: (-exact[i], str(keys[i])))
    # Only a weight above 0 may take a yuan: a school with no share gets none of the remainder.
    order = [i for i in order if weights[i] > 0]
    for i in order[:left]:
        shares[i] += 1
    left -= min(left, len(order))
    i = 0
    while left > 0:  # more yuan left than shares (cannot happen when rounding down; kept for safety)
        shares[order[i % len(order)]] += 1
        left -= 1
        i += 1
    return shares
