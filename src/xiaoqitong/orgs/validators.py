"""统一社会信用代码 (GB 32100-2015) validation and generation; the password length rule in Chinese."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
# GB 11714-1997 organization code (characters 9-17) has its own check character. Generated codes satisfy
# it; validation does not enforce it, because codes issued since 2015 (e.g. "MA…") are not bound to it and the
# standard's check character is the 18th.
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def check_char(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_check_char(first8: str) -> str:
    total = sum(ORG_CHARSET.index(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_credit_code(value: str) -> None:
    """Raise a Chinese ValidationError saying exactly what is wrong with a 统一社会信用代码."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，当前为 %(n)s 位。") % {"n": len(code)}, code="length"
        )
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）。")
            % {"chars": "、".join(bad)},
            code="charset",
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第 3-8 位应为登记管理机关行政区划码（6 位数字）。"), code="division"
        )
    if check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第 18 位应为 %(c)s。") % {"c": check_char(code[:17])}, code="check"
        )


def make_credit_code(division: str, serial: int, *, authority: str = "9", kind: str = "1") -> str:
    """A valid code for generated data: registration authority, kind, division and a serial number."""
    body = f"{serial % 10**8:08d}"
    org = body + org_check_char(body)
    first17 = f"{authority}{kind}{division[:6]}{org}"
    if any(c not in CHARSET for c in first17):  # an org check "X" is fine; other letters cannot occur
        raise ValueError(first17)
    return first17 + check_char(first17)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's password length rule with a Chinese message. Django 5.2 changed the rule's msgid and its
    zh-hans catalogue still carries the old one, so the stock message shows in English
    (use in settings.AUTH_PASSWORD_VALIDATORS instead of Django's)."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
