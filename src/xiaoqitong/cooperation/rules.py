"""The policy's numbers this app uses (T13-T17), read from ``models.Rule`` (DESIGN rule 5: data with a
source, not literals). ``value()`` for computing, ``cite()`` for messages that name the rule and its
source."""

from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .choices import RuleKey
from .models import Rule


def rule(key: str) -> Rule:
    """The rule row; the migrations seed one per key, so a missing row is a broken installation."""
    try:
        return Rule.objects.get(key=key)
    except Rule.DoesNotExist:
        raise ImproperlyConfigured(
            _("缺少政策规则“%(key)s”，请运行 xiaoqitong migrate。") % {"key": RuleKey(key).label}
        ) from None


def value(key: str) -> Decimal:
    return rule(key).value


def cite(key: str) -> str:
    """“T16，郴政发〔2021〕…四（十一）” — the rule's id and source, for refusals and reports."""
    row = rule(key)
    return f"{row.target}，{row.source}"
