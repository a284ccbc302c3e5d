"""The discrimination check of postings (就业促进法, 妇女权益保障法, 就业服务与就业管理规定 第二十条).

The terms are data, not code (DESIGN rule 5): ``data/discrimination_terms.csv`` has one row per term with

- ``term``: how the term is named to the enterprise (``限男性 / 限女性``);
- ``pattern``: a regular expression, matched clause by clause on the normalized text;
- ``allow``: a regular expression that clears a match when the same clause has it (``男女不限``, ``不查乙肝``,
  ``可协助办理本地户口`` are not discrimination);
- ``category``, ``severity`` (``refuse``: the posting is refused; ``warn``: shown to the reviewer only, for
  conditions that the law does not list, such as age, or that some jobs lawfully have, such as height);
- ``source``: the legal citation shown with the refusal.

Text is normalized first (NFKC: full-width letters, digits and punctuation become half-width;
whitespace removed) so that ``限 男 性``, ``性别：男`` or ``限ＭＡＬＥ`` cannot slip through, then split
into clauses at ``，。；、`` and line breaks so that an ``allow`` word only clears its own clause
(``男女不限，女性优先`` is still refused). A finding quotes the words as the user wrote them (``（女）``,
``限 男 性``), not their normalized form: each normalized character remembers where it came from.

Refusals and warnings are grouped apart: a warning that overlaps a refusal (``身高170以上男性``) never
hides it.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TERMS_CSV = Path(__file__).parent / "data" / "discrimination_terms.csv"

CATEGORIES = {
    "gender": gettext_lazy("性别"),
    "ethnicity": gettext_lazy("民族"),
    "hukou": gettext_lazy("户籍或地域"),
    "marriage": gettext_lazy("婚育"),
    "health": gettext_lazy("传染病病原携带"),
    "disability": gettext_lazy("残疾"),
    "religion": gettext_lazy("宗教信仰"),
    "appearance": gettext_lazy("容貌身材"),
    "age": gettext_lazy("年龄"),
}
SEVERITIES = {"refuse", "warn"}
CLAUSE_SPAN = re.compile(r"[^,;!?\n\r。；、]+")


@dataclass(frozen=True)
class Term:
    term: str
    pattern: re.Pattern
    allow: re.Pattern | None
    category: str
    severity: str
    source: str

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.category, self.category))


@dataclass(frozen=True)
class Finding:
    """One offending passage: the words as written in the clause, and the term they match."""

    words: str
    term: Term

    @property
    def refuses(self) -> bool:
        return self.term.severity == "refuse"


def load_terms(path: Path = TERMS_CSV) -> list[Term]:
    """Read and compile the term list; a malformed row raises ValueError naming its line."""
    terms = []
    with path.open(encoding="utf-8") as fh:
        for number, row in enumerate(csv.DictReader(fh), start=2):
            try:
                if row["category"] not in CATEGORIES or row["severity"] not in SEVERITIES:
                    raise ValueError("unknown category or severity")
                terms.append(
                    Term(
                        term=row["term"].strip(),
                        pattern=re.compile(row["pattern"] or re.escape(row["term"]), re.IGNORECASE),
                        allow=re.compile(row["allow"], re.IGNORECASE) if row["allow"] else None,
                        category=row["category"],
                        severity=row["severity"],
                        source=row["source"].strip(),
                    )
                )
            except (re.error, ValueError, KeyError) as exc:
                raise ValueError(f"{path.name} line {number}: {exc}") from exc
    return terms


@cache
def terms() -> list[Term]:
    return load_terms()


def _normalized(text: str) -> tuple[str, list[int]]:
    """The text NFKC-normalized character by character, whitespace removed except line breaks (clause
    breaks), and for each character of the result the index of the original character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text or ""):
        for out in unicodedata.normalize("NFKC", char):
            if out in "\n\r":
                out = "\n"
            elif out.isspace():
                continue
            chars.append(out)
            origin.append(index)
    return "".join(chars), origin


def _passages(clause: str, term_list: list[Term]) -> list[tuple[int, int, Term]]:
    """The offending passages of one clause: overlapping matches of the same severity are one passage
    (限女性 + 女性客服 → 限女性客服), named by its longest term."""
    candidates = []
    for order, term in enumerate(term_list):
        if term.allow is not None and term.allow.search(clause):
            continue
        for match in term.pattern.finditer(clause):
            if match.end() > match.start():
                candidates.append((match.start(), match.end(), order, term))
    candidates.sort(key=lambda c: (c[0], c[1] - c[0]))
    passages: list[tuple[int, int, Term]] = []
    for severity in ("refuse", "warn"):
        groups: list[list] = []
        for start, end, order, term in candidates:
            if term.severity != severity:
                continue
            if groups and start < groups[-1][1]:
                group = groups[-1]
                group[1] = max(group[1], end)
                if (end - start, -order) > group[2]:
                    group[2:] = [(end - start, -order), term]
            else:
                groups.append([start, end, (end - start, -order), term])
        passages += [(start, end, term) for start, end, _rank, term in groups]
    return sorted(passages, key=lambda p: p[0])


def scan(text: str, term_list: list[Term] | None = None) -> list[Finding]:
    """Every offending passage of ``text``, in reading order, quoted as written; overlapping matches of the
    same severity count once."""
    term_list = term_list if term_list is not None else terms()
    text = text or ""
    normalized, origin = _normalized(text)
    findings: list[Finding] = []
    for clause in CLAUSE_SPAN.finditer(normalized):
        for start, end, term in _passages(clause.group(), term_list):
            first, last = origin[clause.start() + start], origin[clause.start() + end - 1]
            findings.append(Finding(words=text[first : last + 1], term=term))
    return findings


def describe(findings: list[Finding]) -> str:
    """``“限男性”（性别；依据：…）、“已婚已育”（婚育；依据：…）``."""
    parts = []
    seen = set()
    for finding in findings:
        if finding.words in seen:
            continue
        seen.add(finding.words)
        parts.append(
            _("“%(words)s”（%(category)s；依据：%(source)s）")
            % {"words": finding.words, "category": finding.term.category_label, "source": finding.term.source}
        )
    return "、".join(parts)


def check(fields: dict[str, str]) -> None:
    """Refuse texts that set discriminatory conditions: a ValidationError keyed by each field whose text has
    offending words (``{"title": …, "description": …}``), the words and the law named in Chinese."""
    errors = {}
    for name, text in fields.items():
        refused = [f for f in scan(text) if f.refuses]
        if refused:
            errors[name] = _(
                "含有就业歧视性内容：%(found)s。招聘信息不得以性别、民族、户籍、婚育、健康、残疾、宗教信仰或容貌"
                "等设置条件，请删除或改写后再提交。"
            ) % {"found": describe(refused)}
    if errors:
        raise ValidationError(errors)


def warnings(fields: dict[str, str]) -> list[Finding]:
    """Findings that do not refuse a posting but that the reviewer should look at (age, height)."""
    return [f for text in fields.values() for f in scan(text) if not f.refuses]
