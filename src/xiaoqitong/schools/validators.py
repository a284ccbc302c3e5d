"""Resident ID card numbers (GB 11643-1999): checked, then kept only as a keyed hash (PIPL, DESIGN rule 4).

The clear number is never stored, logged or echoed in a message: :func:`id_card_hash` turns it into an
HMAC-SHA256 keyed with ``settings.SECRET_KEY``, which finds duplicates without being reversible by anyone who
lacks the key. Rotating SECRET_KEY therefore changes every hash (re-import to rebuild them).
"""

import datetime as dt
import functools
import hashlib
import hmac
import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from xiaoqitong.reference.models import Skill

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def normalize_id_card(value: str) -> str:
    """Upper case, without blanks (a lower-case x and spaces are common in hand-typed sheets)."""
    return "".join(str(value or "").split()).upper()


def check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def validate_id_card(value: str) -> str:
    """Return the normalized number, or raise a Chinese ValidationError that does not repeat it."""
    number = normalize_id_card(value)
    if len(number) != 18:
        raise ValidationError(
            _("身份证号应为 18 位，当前为 %(n)s 位。") % {"n": len(number)}, code="id_card_length"
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("身份证号格式不正确：前 17 位应为数字，最后一位为数字或 X。"), code="id_card_format"
        )
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900:
        raise ValidationError(_("身份证号第 7-14 位不是有效的出生日期。"), code="id_card_birth")
    if check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对。"), code="id_card_check")
    return number


def id_card_hash(value: str) -> str:
    """HMAC-SHA256 (hex) of a valid number, keyed with SECRET_KEY; raises ValidationError if invalid."""
    number = validate_id_card(value)
    return hmac.new(settings.SECRET_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()


def make_id_card(region: str, born: dt.date, serial: int) -> str:
    """A valid number for generated data and tests (region code, birth date, 3-digit serial)."""
    first17 = f"{region[:6]}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_char(first17)


# --- skills written as text: "机械制图:熟练、CAD绘图:精通" (import column, form field) ----------------------
SKILL_SEPARATORS = re.compile(r"[、，,；;\n]+")


def skill_lookup() -> dict[str, "Skill"]:
    """Every skill by its name and by its synonyms (the names win over a synonym of another skill)."""
    from xiaoqitong.reference.models import Skill

    by_name: dict[str, Skill] = {}
    skills = list(Skill.objects.all())
    for skill in skills:
        for synonym in skill.synonyms or []:
            by_name.setdefault(str(synonym).strip(), skill)
    by_name.update({skill.name: skill for skill in skills})
    return by_name


@functools.cache
def _level_names(language: str) -> dict[str, str]:
    from .choices import SkillLevel

    # Chinese labels always (the import template's words), the current language's and the values too.
    with translation.override("zh-hans"):
        names = {str(label): value for value, label in SkillLevel.choices}
    return (
        names | {str(label): value for value, label in SkillLevel.choices} | {v: v for v in SkillLevel.values}
    )


def _skill_levels() -> dict[str, str]:
    return _level_names(translation.get_language() or "")


def parse_skill_levels(text: str, lookup: dict | None = None) -> list[tuple["Skill", str]]:
    """``技能名:水平`` items separated by 、 (or commas, semicolons, new lines); the level (了解、熟练、精通)
    may be left out and is then 熟练. Raises one ValidationError naming every unknown skill or level."""
    from .choices import SkillLevel

    items = [item.strip() for item in SKILL_SEPARATORS.split(text or "") if item.strip()]
    if not items:
        return []
    lookup = skill_lookup() if lookup is None else lookup
    levels = _skill_levels()
    parsed: dict[int, tuple] = {}
    problems = []
    for item in items:
        name, _sep, level = item.replace("：", ":").partition(":")
        name, level = name.strip(), level.strip()
        skill = lookup.get(name)
        if skill is None:
            problems.append(_("找不到技能“%(name)s”（请使用平台技能词表中的名称）") % {"name": name})
            continue
        if level and level not in levels:
            problems.append(
                _("技能“%(name)s”的水平“%(level)s”不是可选值，可选：%(options)s")
                % {
                    "name": name,
                    "level": level,
                    "options": "、".join(str(lb) for _v, lb in SkillLevel.choices),
                }
            )
            continue
        if skill.pk in parsed:
            problems.append(_("技能“%(name)s”重复") % {"name": skill.name})
            continue
        parsed[skill.pk] = (skill, levels[level] if level else SkillLevel.PROFICIENT)
    if problems:
        raise ValidationError("；".join(problems))
    return list(parsed.values())


def skill_levels_as_text(skill_levels) -> str:
    """The inverse of :func:`parse_skill_levels` for StudentSkill rows (sorted by name)."""
    return "、".join(
        f"{s.skill.name}:{s.get_level_display()}" for s in sorted(skill_levels, key=lambda s: s.skill.name)
    )
