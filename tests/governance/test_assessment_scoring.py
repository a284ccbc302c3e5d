"""The scoring rule of the school assessment (pure functions): linear between floor and full, clamped, lower
is better reversed, no data scores 0 with 暂无数据, ties share a rank."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xiaoqitong.governance.selectors.assessment import points_for, ranks, ratio, score, value_text

D = Decimal


def ind(weight="10", floor="0", full="1"):
    return SimpleNamespace(weight=D(weight), floor=D(floor), full=D(full))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", "0.00"), ("0.3", "0.00"), ("0.45", "5.00"), ("0.6", "10.00"), ("0.9", "10.00"), ("-1", "0.00")],
)
def test_linear_between_floor_and_full_and_clamped(value, expected):
    assert points_for(D(value), weight=D("10"), floor=D("0.3"), full=D("0.6")) == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"), [("0.5", "0.00"), ("0.4", "10.00"), ("0.45", "5.00"), ("1", "0")]
)
def test_lower_is_better_runs_the_other_way(value, expected):
    # e.g. a share that should stay low: 50% or more scores nothing, 40% or less full marks
    assert points_for(D(value), weight=D("10"), floor=D("0.5"), full=D("0.4")) == D(expected)


def test_rounding_half_up_to_cents():
    assert points_for(D("1"), weight=D("10"), floor=D("0"), full=D("3")) == D("3.33")
    assert points_for(D("2"), weight=D("10"), floor=D("0"), full=D("3")) == D("6.67")


def test_no_data_scores_zero_with_a_note():
    for pair in [(None, None), (3, 0), (None, 5)]:
        scored = score(ind(), *pair)
        assert scored.value is None
        assert scored.points == D("0")
        assert scored.note == "暂无数据"


def test_a_count_is_its_numerator_and_zero_is_a_real_count():
    assert ratio(2, None) == D(2)
    scored = score(ind(full="2"), 0, None)
    assert scored.value == D(0) and scored.points == D("0.00") and scored.note == ""
    assert score(ind(full="2"), 3, None).points == D("10.00")


def test_ties_share_a_rank():
    assert ranks([(1, D("50")), (2, D("70")), (3, D("50")), (4, D("10"))]) == {2: 1, 1: 2, 3: 2, 4: 4}
    assert ranks([]) == {}


def test_value_text_says_no_data():
    assert value_text("share", None) == "暂无数据"
    assert value_text("share", D("0.2345")) == "23.5%"
    assert value_text("days", D("7.55")) == "7.6 天"
    assert value_text("count", D("2")) == "2"


@given(
    value=st.decimals(min_value=-10, max_value=10, places=3),
    floor=st.decimals(min_value=-5, max_value=5, places=2),
    span=st.decimals(min_value="0.01", max_value=5, places=2),
    weight=st.decimals(min_value=0, max_value=50, places=2),
    lower=st.booleans(),
)
def test_points_stay_within_zero_and_the_weight(value, floor, span, weight, lower):
    full = floor - span if lower else floor + span
    points = points_for(value, weight=weight, floor=floor, full=full)
    assert D(0) <= points <= weight.quantize(D("0.01"))
    better = value - span if lower else value + span
    assert points_for(better, weight=weight, floor=floor, full=full) >= points  # monotone


def test_a_sample_below_the_minimum_scores_at_the_city_rate():
    indicator = SimpleNamespace(weight=D("30"), floor=D("0.2"), full=D("0.7"), min_base=10)
    small = score(indicator, 2, 2, city=D("0.45"))
    assert small.value == D("1")  # the school's own rate is kept and shown
    assert small.points == D("15.00")  # but scored at the city's 45%
    assert "样本不足" in small.note and "45.0%" in small.note
    assert score(indicator, 9, 10, city=D("0.45")).points == D("30.00")  # 10 is enough
    no_city = score(indicator, 2, 2, city=None)
    assert no_city.points == D("30.00") and no_city.note == ""


def test_city_value_sums_the_schools():
    from xiaoqitong.governance.selectors.assessment import city_value

    assert city_value({1: (1, 2), 2: (3, 8), 3: (None, None)}) == D("0.4")
    assert city_value({1: (None, None)}) is None
