"""Write (or check) docs/permissions.md: the permission matrix of every model of every app, read from the
policies (``core.policy``) for a representative user of each role.

Each rule is described as it evaluates for that user: ``all``, nothing, or the rows its filter keeps, with
the user's own ids written as ``{user}``, ``{school}``, ``{enterprise}``, ``{department}`` and
``{institution}``. A rule whose every row is tied to the user's organization is "own org"; to the user
themself, "own record"; any other filter (published rows, consent …) is "scoped". The checked-in file is the
reviewed table: ``tests/core/test_permission_matrix.py`` regenerates it and fails on any difference, so that
a policy change (a widened rule above all) lands only together with the table that shows it.

    xiaoqitong permissions_matrix            # print the table
    xiaoqitong permissions_matrix --check    # exit 1 and print the diff when docs/permissions.md is stale
    xiaoqitong permissions_matrix --write    # rewrite docs/permissions.md
"""

import datetime as dt
import difflib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.db.models.expressions import Col, Exists, Subquery
from django.db.models.lookups import Lookup
from django.db.models.sql.query import Query
from django.db.models.sql.where import NothingNode, WhereNode
from django.utils import timezone

from xiaoqitong.core.policy import ACTIONS, ALL, policy_for
from xiaoqitong.orgs.choices import ROLE_ORGANIZATION, DepartmentKind, Role, SchoolType
from xiaoqitong.orgs.models import Department, Enterprise, ResearchInstitution, School, User

DOC = Path(__file__).resolve().parents[5] / "docs" / "permissions.md"
REGENERATE = "xiaoqitong permissions_matrix --write"
# Platform administrators are superusers: every action on every row, save where a policy says otherwise.
ROLES = list(Role.values)
LETTERS = dict(zip(ACTIONS, "vacdei", strict=True))
# The representative user's ids: numbers no catalog or enum uses, replaced by symbols in the description.
SYMBOLS = {
    "user": 970_001,
    "school": 970_002,
    "enterprise": 970_003,
    "department": 970_004,
    "institution": 970_005,
}
ORG_SYMBOLS = {"school", "enterprise", "department", "institution"}
OWN_ORG, OWN_RECORD, SCOPED, NONE = "own org", "own record", "scoped", "none"

# Every model with an own-org rule is in exactly one of these two (the test fails otherwise): checked by
# behaviour (the test builds its rows for two organizations), or by description only, with the reason.
BEHAVIOUR_CHECKED: set[str] = {
    "cooperation.Agreement",
    "cooperation.AgreementMember",
    "cooperation.BaseBooking",
    "cooperation.InternshipLog",
    "cooperation.InternshipPlan",
    "cooperation.Placement",
    "cooperation.PracticeBase",
    "enterprises.Application",
    "enterprises.ApplicationEvent",
    "enterprises.GraduateOutcome",
    "enterprises.Position",
    "events.Commitment",
    "events.CommitmentUpdate",
    "events.Event",
    "events.Intention",
    "events.Registration",
    "events.Slot",
    "events.SurveyResponse",
    "orgs.Enterprise",
    "orgs.ResearchInstitution",
    "orgs.School",
    "orgs.SchoolEnrolment",
    "quality.AssessmentPlan",
    "quality.CertificateAward",
    "quality.CompetitionAward",
    "quality.ExamCentre",
    "quality.ExamSession",
    "quality.Grade",
    "quality.GradeRevision",
    "quality.ResourceUse",
    "quality.SkillTestResult",
    "quality.SpecialPostFunding",
    "quality.TeachingResource",
    "quality.TechServiceIncome",
    "quality.TrainingParticipant",
    "quality.TrainingProgramme",
    "quality.TrainingSession",
    "schools.SchoolMajor",
    "schools.Student",
    "schools.Teacher",
    "schools.TeacherPractice",
}
_NO_FACTORY = "no factory; its rows come from the services in "
_CERTIFICATION = _NO_FACTORY + "tests/certification/"
_INTERNSHIPS = _NO_FACTORY + "tests/cooperation/test_internships_*.py"
_CLAIMS = _NO_FACTORY + "tests/cooperation/test_subsidies_claims.py"
_TASKS = _NO_FACTORY + "tests/governance/"
DESCRIPTION_ONLY: dict[str, str] = {
    "certification.Application": _CERTIFICATION,
    "certification.Claim": _CERTIFICATION,
    "certification.Document": _CERTIFICATION,
    "certification.Incentive": _CERTIFICATION,
    "certification.Opinion": _CERTIFICATION,
    "certification.Review": _CERTIFICATION,
    "cooperation.AgreementChange": _NO_FACTORY + "tests/cooperation/test_agreements_changes.py",
    "cooperation.CheckIn": _INTERNSHIPS,
    "cooperation.Evaluation": _INTERNSHIPS,
    "cooperation.InternshipSubsidy": _INTERNSHIPS,
    "cooperation.LeaveRequest": _INTERNSHIPS,
    "cooperation.SubsidyClaim": _CLAIMS,
    "cooperation.SubsidyClaimLine": _CLAIMS,
    "governance.AllocationLine": _TASKS,
    "governance.Milestone": _TASKS,
    "governance.ProgressAttachment": _TASKS,
    "governance.ProgressReport": _TASKS,
    "governance.QualityReport": _TASKS,
    "matching.Invitation": _NO_FACTORY + "tests/matching/",
    "schools.DataRequest": _NO_FACTORY
    + "tests/schools/ (a student's request to export or delete their data)",
}
DESCRIPTION_ONLY_NOTE = (
    "These models have own-org rules but no factory builds their rows, so the test checks their rules by\n"
    "the description above only (every other model with an own-org rule is marked ✓)."
)


def representative_user(role: str) -> User:
    """An unsaved user of ``role`` whose ids are the symbols' numbers, with an unsaved organization of its
    own (a city department for an officer, a secondary school for school roles)."""
    user = User(pk=SYMBOLS["user"], username=f"matrix-{role}", role=role, is_active=True)
    user.is_superuser = user.is_staff = role == Role.PLATFORM_ADMIN
    org = ROLE_ORGANIZATION.get(role)
    if org:
        setattr(user, org, _ORGS[org](pk=SYMBOLS[org]))
    return user


_ORGS = {
    "school": lambda pk: School(pk=pk, code="matrix", name="matrix", school_type=SchoolType.SECONDARY),
    "enterprise": lambda pk: Enterprise(pk=pk, credit_code="matrix", name="matrix"),
    "department": lambda pk: Department(pk=pk, code="matrix", name="matrix", kind=DepartmentKind.GOVERNMENT),
    "institution": lambda pk: ResearchInstitution(pk=pk, code="matrix", name="matrix"),
}


def our_models() -> list[type[models.Model]]:
    return sorted(
        (m for m in apps.get_models() if m.__module__.startswith("xiaoqitong.")),
        key=lambda m: (m._meta.app_label, m._meta.model_name),
    )


# --- describing a filter ------------------------------------------------------------------------------------
class _Describer:
    """A filter (a query's WHERE tree) as text that names no database: ``Model.path op value``."""

    def __init__(self):
        self.today = timezone.localdate()

    def query(self, query: Query) -> str:
        where = self.node(query.where, query)
        return where or "every row"

    def node(self, node, query: Query) -> str:
        if isinstance(node, NothingNode):
            return "nothing"
        if isinstance(node, WhereNode):
            parts = [p for p in (self.node(child, query) for child in node.children) if p]
            if not parts:
                text = ""
            elif len(parts) == 1:
                text = parts[0]
            else:
                text = f" {node.connector} ".join(
                    f"({p})" if " AND " in p or " OR " in p else p for p in parts
                )
            return f"NOT ({text})" if node.negated else text
        if isinstance(node, Lookup):
            op = {"exact": "=", "in": "in"}.get(node.lookup_name, node.lookup_name)
            return f"{self.expr(node.lhs, query)} {op} {self.value(node.rhs, query)}"
        if isinstance(node, Exists):
            inner = node.query
            return f"{'NOT ' if node.negated else ''}EXISTS {inner.model.__name__}[{self.query(inner)}]"
        return self.expr(node, query)

    def path(self, alias: str, query: Query) -> str:
        names = []
        while alias in query.alias_map and getattr(query.alias_map[alias], "parent_alias", None):
            join = query.alias_map[alias]
            field = join.join_field
            name = getattr(field, "name", None)
            if name is None:  # a reverse relation without a related name
                name = getattr(field, "related_model", None) or field
                name = name._meta.model_name if hasattr(name, "_meta") else str(name)
            names.append(name)
            alias = join.parent_alias
        return ".".join(reversed(names))

    def expr(self, expr, query: Query) -> str:
        if isinstance(expr, Col):
            prefix = self.path(expr.alias, query)
            name = expr.target.name if not expr.target.is_relation else expr.target.attname
            return f"{prefix}.{name}" if prefix else name
        if isinstance(expr, Query):
            return self.subquery(expr)
        if isinstance(expr, Subquery):
            return self.subquery(expr.query)
        if hasattr(expr, "get_source_expressions") and expr.get_source_expressions():
            inner = ", ".join(self.expr(e, query) for e in expr.get_source_expressions())
            return f"{type(expr).__name__}({inner})"
        return self.value(expr, query)

    def subquery(self, query: Query) -> str:
        selected = ""
        if query.select:
            selected = ", ".join(self.expr(col, query) for col in query.select) + " "
        elif query.values_select:
            selected = ", ".join(query.values_select) + " "
        return f"{query.model.__name__}[{selected}where {self.query(query)}]"

    def value(self, value, query: Query) -> str:
        if isinstance(value, Query | Subquery | Col) or hasattr(value, "resolve_expression"):
            if isinstance(value, Query | Subquery | Col):
                return self.expr(value, query)
            return self.expr(value, query) if hasattr(value, "get_source_expressions") else str(value)
        if isinstance(value, list | tuple | set | frozenset):
            return "{" + ", ".join(sorted(self.value(v, query) for v in value)) + "}"
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, int):
            for symbol, number in SYMBOLS.items():
                if value == number:
                    return "{" + symbol + "}"
            return str(value)
        if isinstance(value, dt.datetime):
            return "{now}"
        if isinstance(value, dt.date):
            days = (value - self.today).days
            return "{today}" if not days else f"{{today{days:+d}d}}"
        if isinstance(value, models.Model):
            return f"{type(value).__name__}#{self.value(value.pk, query)}"
        return repr(str(value))


def _bound(node, query: Query) -> set[str] | None:
    """The symbols every row of the filter is tied to (``None``: the filter keeps no row at all)."""
    if isinstance(node, NothingNode):
        return None
    if isinstance(node, WhereNode):
        if node.negated:
            return set()
        sets = [_bound(child, query) for child in node.children]
        if node.connector == "AND":
            if any(s is None for s in sets):
                return None
            return set().union(*sets) if sets else set()
        sets = [s for s in sets if s is not None]
        if not sets:
            return None
        return set.intersection(*sets)
    if isinstance(node, Lookup) and node.lookup_name in ("exact", "in"):
        rhs = node.rhs
        if isinstance(rhs, Subquery):
            rhs = rhs.query
        if isinstance(rhs, Query):
            return _bound(rhs.where, rhs)
        values = rhs if isinstance(rhs, list | tuple | set | frozenset) else [rhs]
        if not values:
            return None
        found = {s for s, n in SYMBOLS.items() if n in values and not isinstance(n, bool)}
        return found if all(v in SYMBOLS.values() for v in values) else set()
    if isinstance(node, Exists) and not node.negated:
        return _bound(node.query.where, node.query)
    return set()


# --- the matrix ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """One rule for one role and action: its name in the table, what it keeps, and its kind."""

    scope: str  # "all", "" (refused) or the rule function's name
    description: str = ""
    kind: str = NONE
    module: str = ""  # the rule function's module (two apps' modules may name a rule alike)


def _function_name(rule) -> tuple[str, str]:
    name = getattr(rule, "__qualname__", None) or getattr(rule, "__name__", None) or repr(rule)
    return getattr(rule, "__module__", "") or "", name.replace(".<locals>.", ".")


def describe(model, role: str, action: str) -> Cell:
    user = representative_user(role)
    try:
        policy = policy_for(model)
    except LookupError:  # tests/core/test_policy_coverage.py fails on it; the table says so too
        return Cell("NO POLICY")
    rule = policy.rule(user, action)
    if rule is None:
        return Cell("")
    if rule == ALL:
        return Cell("all", "every row", "all")
    queryset = rule(model._default_manager.all(), user)
    query = queryset.query
    bound = _bound(query.where, query)
    if bound is None:
        kind = NONE
    elif bound & ORG_SYMBOLS:
        kind = OWN_ORG
    elif "user" in bound:
        kind = OWN_RECORD
    else:
        kind = SCOPED
    module, name = _function_name(rule)
    return Cell(name, _Describer().query(query), kind, module)


def matrix() -> dict[type[models.Model], dict[str, dict[str, Cell]]]:
    """``{model: {role: {action: Cell}}}`` for every model of every app."""
    return {
        model: {role: {action: describe(model, role, action) for action in ACTIONS} for role in ROLES}
        for model in our_models()
    }


def own_org_rules(table=None) -> dict[type[models.Model], list[tuple[str, str]]]:
    """The (role, action) pairs whose rule keeps only rows of the user's own organization, per model."""
    table = table or matrix()
    found = defaultdict(list)
    for model, by_role in table.items():
        for role, by_action in by_role.items():
            for action, cell in by_action.items():
                if cell.kind == OWN_ORG:
                    found[model].append((role, action))
    return dict(found)


def _display_names(cells) -> dict[tuple[str, str], str]:
    """A rule's name in one app's table: its function's name, or ``module.name`` where two modules of the
    app name different rules alike."""
    keys = {(c.module, c.scope) for c in cells if c.module}
    clashes = {name for name in {n for _m, n in keys} if sum(1 for _m, n in keys if n == name) > 1}
    return {(m, n): (f"{m.rsplit('.', 1)[-1]}.{n}" if n in clashes else n) for m, n in keys}


def _name(cell: Cell, names: dict) -> str:
    return names.get((cell.module, cell.scope), cell.scope)


def _cell_text(by_action: dict[str, Cell], names: dict) -> str:
    groups: dict[str, str] = {}
    for action, cell in by_action.items():
        if cell.scope:
            scope = _name(cell, names)
            groups[scope] = groups.get(scope, "") + LETTERS[action]
    if not groups:
        return "—"
    return "; ".join(f"{letters} {scope}" for scope, letters in groups.items())


def render(checked: set[str] | None = None, table=None) -> str:
    """The Markdown text of docs/permissions.md. ``checked``: labels of the models whose own-org rules the
    behaviour test exercises (marked ✓)."""
    table = table or matrix()
    checked = checked if checked is not None else set()
    by_app: dict[str, list] = defaultdict(list)
    for model in table:
        by_app[model._meta.app_label].append(model)
    out = [
        "# Permission matrix",
        "",
        f"Generated from the policies by `{REGENERATE}`; do not edit by hand.",
        "`tests/core/test_permission_matrix.py` regenerates it and fails on any difference, so a policy",
        "change (above all one that widens access) lands only together with this reviewed table.",
        "",
        "Each cell lists the actions a role may take (**v**iew, **a**dd, **c**hange, **d**elete, **e**xport,",
        "**i**mport) and over which rows: `all` rows, or the rows a named rule keeps (its filter, evaluated",
        "for a representative user of the role, is under each app's table); `—`: nothing.",
        "Platform administrators are superusers: every action on every row, save where a policy refuses it.",
        "Kinds: *own org*: every row kept is tied to the user's organization (`{school}`, `{enterprise}`,",
        "`{department}`, `{institution}`); *own record*: to the user (`{user}`); *scoped*: another filter",
        "(published, consent…).",
        "✓: the behaviour test builds rows of two organizations and checks that each own-org rule of the",
        "model returns only the user's own organization's rows.",
        "",
    ]
    for app_label, app_models in by_app.items():
        out += [f"## {app_label}", ""]
        out.append("| model | ✓ | " + " | ".join(ROLES) + " |")
        out.append("|---|---|" + "---|" * len(ROLES))
        legend: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        locked = []
        names = _display_names(
            cell for model in app_models for by_action in table[model].values() for cell in by_action.values()
        )
        for model in app_models:
            label = model._meta.label
            mark = "✓" if label in checked else ""
            cells = [_cell_text(table[model][role], names) for role in ROLES]
            out.append(f"| {model.__name__} | {mark} | " + " | ".join(cells) + " |")
            for role in ROLES:
                for cell in table[model][role].values():
                    if cell.module:
                        legend[_name(cell, names)][(cell.kind, cell.description)].add(role)
            for role, fields in sorted(getattr(_policy_or_none(model), "locked", {}).items()):
                locked.append(f"- {model.__name__}, {role}: {', '.join(sorted(fields))}")
        if legend:
            out += ["", "Rules:", ""]
            for scope in sorted(legend):
                variants = legend[scope]
                if len(variants) == 1:
                    (kind, description), _roles = next(iter(variants.items()))
                    out.append(f"- `{scope}` ({kind}): {description}")
                    continue
                out.append(f"- `{scope}`:")
                for (kind, description), roles in sorted(variants.items()):
                    names = ", ".join(r for r in ROLES if r in roles)
                    out.append(f"  - {names} ({kind}): {description}")
        if locked:
            out += ["", "Fields a role may not change on rows it may change:", "", *locked]
        out.append("")
    out += ["## Own-org rules covered by description only", "", DESCRIPTION_ONLY_NOTE, ""]
    out += [f"- {label}: {reason}" for label, reason in sorted(DESCRIPTION_ONLY.items())]
    out.append("")
    return "\n".join(out)


def _policy_or_none(model):
    try:
        return policy_for(model)
    except LookupError:
        return None


def diff(expected: str, actual: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            "docs/permissions.md (checked in)",
            "docs/permissions.md (from the policies)",
        )
    )


class Command(BaseCommand):
    requires_system_checks = []  # reads the policies only
    help = "Print, check or write docs/permissions.md, the permission matrix generated from the policies."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true", help="rewrite docs/permissions.md")
        group.add_argument("--check", action="store_true", help="fail with the diff when the file is stale")
        parser.add_argument("--path", default=str(DOC), help="the file (default: docs/permissions.md)")

    def handle(self, *args, write=False, check=False, path=str(DOC), **options):
        text = render(set(BEHAVIOUR_CHECKED))
        target = Path(path)
        if write:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {target}")
        elif check:
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != text:
                self.stdout.write(diff(current, text))
                raise CommandError(f"{target} is out of date: run `{REGENERATE}`")
            self.stdout.write(f"{target} is up to date")
        else:
            self.stdout.write(text)
