import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from xiaoqitong.orgs.validators import CHARSET, check_char, make_credit_code, validate_credit_code

# Published codes of real organizations (from their public business licences).
REAL_CODES = ["91110000802100433B", "91440300192185379H", "91110108551385082Q", "914403001922038216"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    validate_credit_code(code)


@given(division=st.sampled_from(["431002", "431003", "431081", "110101"]), serial=st.integers(0, 10**8 - 1))
def test_generated_codes_are_valid(division, serial):
    validate_credit_code(make_credit_code(division, serial))


@given(position=st.integers(0, 17), replacement=st.sampled_from(list(CHARSET)))
def test_any_single_change_is_caught(position, replacement):
    code = REAL_CODES[0]
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        validate_credit_code(changed)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9143", "应为 18 位"),
        ("9111000080210043IB", "不允许的字符"),
        ("91110000802100433C", "第 18 位应为 B"),
        ("91ABCDEF802100433B", "行政区划码"),
    ],
)
def test_refusals_say_what_is_wrong(code, message):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert message in exc.value.messages[0]


def test_check_char_of_known_code():
    assert check_char("91110000802100433") == "B"
