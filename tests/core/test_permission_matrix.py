"""The permission matrix of every model of every app (issue 11), described and then exercised.

Description: docs/permissions.md is generated from the policies (``xiaoqitong permissions_matrix``) for a
representative user of each role; the checked-in file is the reviewed table, and any difference fails here,
so a policy that widens access fails until the table is rewritten on purpose.

Behaviour: for every model whose rule for some role keeps "own org" rows, rows of two organizations are built
with the apps' factories, and ``Model.objects.restrict(user, action)`` must return, for a user of one
organization, only rows tied to that organization (and nothing to a user of a third one). Models the
factories cannot build are listed, with the reason, in ``DESCRIPTION_ONLY``; a model in neither list fails.
"""

import importlib

import pytest

from xiaoqitong.core.policy import ACTIONS, ALL, policy_for
from xiaoqitong.orgs.choices import ROLE_ORGANIZATION, Role
from xiaoqitong.orgs.management.commands import permissions_matrix as pm
from xiaoqitong.orgs.models import Department, Enterprise, ResearchInstitution, School

from ..orgs.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    ResearchInstitutionFactory,
    SchoolFactory,
    user_with_role,
)

ORG_MODELS = {
    "school": School,
    "enterprise": Enterprise,
    "department": Department,
    "institution": ResearchInstitution,
}
ORG_FACTORIES = {
    "school": SchoolFactory,
    "enterprise": EnterpriseFactory,
    "department": DepartmentFactory,
    "institution": ResearchInstitutionFactory,
}


# Where a policy refuses or narrows even a platform administrator on purpose (its own ``rule()``): no criteria
# import, notifications only their addressee's, allocations changed only as drafts, no assessment typed in.
PLATFORM_ADMIN_REFUSED = {
    ("certification.Criterion", "import"),
    *(("core.Notification", action) for action in ACTIONS),
    ("governance.Allocation", "change"),
    ("governance.Allocation", "delete"),
    ("governance.Allocation", "import"),
    ("governance.Assessment", "add"),
    ("governance.Assessment", "delete"),
    ("governance.Assessment", "import"),
}


@pytest.fixture
def _seeds(reference_data, db):
    """The catalogs and the rows the migrations seed (event types, rules), which some factories read."""
    from django.apps import apps

    from ..concurrency import SEEDS

    for module in SEEDS:
        importlib.import_module(module).seed(apps, None)


# --- description -------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_docs_permissions_md_is_the_policies_table():
    expected = pm.DOC.read_text(encoding="utf-8") if pm.DOC.exists() else ""
    actual = pm.render(pm.BEHAVIOUR_CHECKED)
    if actual != expected:
        pytest.fail(
            "docs/permissions.md differs from the policies. If the change is intended, regenerate it with\n"
            f"    {pm.REGENERATE}\nand review the diff:\n{pm.diff(expected, actual)}",
            pytrace=False,
        )


@pytest.mark.django_db
def test_the_table_has_every_model_of_every_app():
    text = pm.render(pm.BEHAVIOUR_CHECKED)
    for model in pm.our_models():
        assert f"| {model.__name__} |" in text.split(f"## {model._meta.app_label}\n", 1)[1], model


@pytest.mark.django_db
def test_a_widened_rule_changes_the_table(monkeypatch):
    """The guard works: an own-school rule widened to every row changes the generated text."""
    from xiaoqitong.schools.models import Student

    before = pm.render(pm.BEHAVIOUR_CHECKED)
    policy = policy_for(Student)
    widened = {**policy.rules, "view": {**policy.rules["view"], Role.TEACHER: ALL}}
    monkeypatch.setattr(policy, "rules", widened)
    after = pm.render(pm.BEHAVIOUR_CHECKED)
    assert after != before
    assert "+| Student |" in pm.diff(before, after)


@pytest.mark.django_db
def test_the_description_names_the_user_organization():
    from xiaoqitong.schools.models import Student

    cell = pm.describe(Student, Role.TEACHER, "view")
    assert (cell.scope, cell.kind) == ("rows_of_own_school", pm.OWN_ORG)
    assert cell.description == "school_id = {school}"
    assert pm.describe(Student, Role.STUDENT, "view").kind == pm.OWN_RECORD
    assert pm.describe(Student, Role.RESEARCHER, "view") == pm.Cell("")
    assert pm.describe(School, Role.STUDENT, "view").scope == "all"


@pytest.mark.django_db
def test_platform_administrators_are_refused_only_where_a_policy_says_so():
    """A superuser passes every policy (core.policy) except the few that refuse even them on purpose."""
    refused = {
        (model._meta.label, action)
        for model in pm.our_models()
        for action in ACTIONS
        if pm.describe(model, Role.PLATFORM_ADMIN, action).scope != "all"
    }
    assert refused == PLATFORM_ADMIN_REFUSED


@pytest.mark.django_db
def test_every_own_org_model_is_checked_by_behaviour_or_listed():
    own_org = {model._meta.label for model in pm.own_org_rules()}
    assert not pm.BEHAVIOUR_CHECKED & set(pm.DESCRIPTION_ONLY), "a model is in both lists"
    missing = own_org - pm.BEHAVIOUR_CHECKED - set(pm.DESCRIPTION_ONLY)
    assert not missing, (
        f"own-org models neither checked by behaviour nor listed in DESCRIPTION_ONLY: {missing}"
    )
    stale = (pm.BEHAVIOUR_CHECKED | set(pm.DESCRIPTION_ONLY)) - own_org
    assert not stale, f"listed models without an own-org rule (remove them): {stale}"
    assert set(BUILDERS) == pm.BEHAVIOUR_CHECKED
    assert all(reason.strip() for reason in pm.DESCRIPTION_ONLY.values())


# --- behaviour ---------------------------------------------------------------------------------------------
def _factory(path: str, name: str, **kwargs):
    """A builder: the factory ``name`` of ``tests/<path>.py``; callable arguments (factories) are called for
    each row, so that every row gets an organization of its own."""

    def build():
        module = importlib.import_module(f"tests.{path}")
        return getattr(module, name)(**{k: v() if callable(v) else v for k, v in kwargs.items()})

    return build


def _enterprise_resource():
    from ..quality.factories_resources import TeachingResourceFactory

    hr = user_with_role(Role.ENTERPRISE_HR)
    return TeachingResourceFactory(owner_school=None, owner_enterprise=hr.enterprise, author=hr)


def _use_of_enterprise_resource():
    from ..quality.factories_resources import ResourceUseFactory

    return ResourceUseFactory(resource=_enterprise_resource())


def _enterprise_survey():
    from ..events.factories import EnterpriseRegistrationFactory, PastEventFactory, SurveyResponseFactory

    return SurveyResponseFactory(registration=EnterpriseRegistrationFactory(event=PastEventFactory()))


def _enterprise_programme():
    from ..quality.factories_training import TrainingProgrammeFactory

    return TrainingProgrammeFactory(provider_school=None, provider_enterprise=EnterpriseFactory())


def _placement_plan():
    from ..cooperation.factories import PlacementFactory

    return PlacementFactory().plan


def _grade():
    from xiaoqitong.quality.models import Grade

    from ..quality.factories_assessment import dual_plan

    dual = dual_plan(students=1)
    return Grade.objects.create(
        plan=dual.plan, student=dual.students[0], part="theory", score=80, grader=dual.teacher
    )


def _grade_revision():
    from xiaoqitong.quality.models import GradeRevision

    grade = _grade()
    return GradeRevision.objects.create(grade=grade, score=grade.score, grader=grade.grader, source="manual")


def _application_event():
    from xiaoqitong.enterprises.models import ApplicationEvent

    from ..enterprises.factories import ApplicationFactory

    event = ApplicationEvent.objects.filter(application=ApplicationFactory()).first()
    assert event is not None
    return event


def _commitment_update(**owner):
    from ..events.factories import CommitmentFactory, CommitmentUpdateFactory

    return CommitmentUpdateFactory(commitment=CommitmentFactory(**owner))


def _enterprise_commitment_update():
    return _commitment_update(owner_school=None, owner_enterprise=EnterpriseFactory())


# model label -> builders; each call builds one row with organizations of its own.
BUILDERS = {
    "cooperation.Agreement": [_factory("cooperation.factories", "AgreementFactory")],
    "cooperation.AgreementMember": [_factory("cooperation.factories", "AgreementMemberFactory")],
    "cooperation.BaseBooking": [
        _factory("cooperation.factories_bases", "BookingFactory"),
        _factory("cooperation.factories_bases", "BookingFactory", school=None, enterprise=EnterpriseFactory),
    ],
    "cooperation.InternshipLog": [_factory("cooperation.factories_internships", "InternshipLogFactory")],
    "cooperation.InternshipPlan": [_placement_plan],
    "cooperation.Placement": [_factory("cooperation.factories", "PlacementFactory")],
    "cooperation.PracticeBase": [
        _factory("cooperation.factories", "PracticeBaseFactory"),
        _factory(
            "cooperation.factories",
            "PracticeBaseFactory",
            owner_school=None,
            owner_enterprise=EnterpriseFactory,
        ),
    ],
    "enterprises.Application": [_factory("enterprises.factories", "ApplicationFactory")],
    "enterprises.ApplicationEvent": [_application_event],
    "enterprises.GraduateOutcome": [_factory("enterprises.factories", "GraduateOutcomeFactory")],
    "enterprises.Position": [_factory("enterprises.factories", "PositionFactory")],
    "events.Commitment": [
        _factory("events.factories", "CommitmentFactory"),
        _factory(
            "events.factories", "CommitmentFactory", owner_school=None, owner_enterprise=EnterpriseFactory
        ),
    ],
    "events.CommitmentUpdate": [_commitment_update, _enterprise_commitment_update],
    "events.Event": [_factory("events.factories", "EventFactory")],
    "events.Intention": [
        _factory("events.factories", "IntentionFactory"),
        _factory("events.factories", "CooperationIntentionFactory"),
    ],
    "events.Registration": [
        _factory("events.factories", "RegistrationFactory"),
        _factory("events.factories", "EnterpriseRegistrationFactory"),
        _factory("events.factories", "SchoolRegistrationFactory"),
    ],
    "events.Slot": [_factory("events.factories", "SlotFactory")],
    "events.SurveyResponse": [_factory("events.factories", "SurveyResponseFactory"), _enterprise_survey],
    "orgs.Enterprise": [EnterpriseFactory],
    "orgs.ResearchInstitution": [ResearchInstitutionFactory],
    "orgs.School": [SchoolFactory],
    "orgs.SchoolEnrolment": [_factory("orgs.factories", "SchoolEnrolmentFactory")],
    "quality.AssessmentPlan": [_factory("quality.factories_assessment", "AssessmentPlanFactory")],
    "quality.CertificateAward": [_factory("quality.factories_certificates", "CertificateAwardFactory")],
    "quality.CompetitionAward": [_factory("quality.factories_certificates", "CompetitionAwardFactory")],
    "quality.ExamCentre": [_factory("quality.factories_certificates", "ExamCentreFactory")],
    "quality.ExamSession": [_factory("quality.factories_certificates", "ExamSessionFactory")],
    "quality.Grade": [_grade],
    "quality.GradeRevision": [_grade_revision],
    "quality.ResourceUse": [
        _factory("quality.factories_resources", "ResourceUseFactory"),
        _use_of_enterprise_resource,
    ],
    "quality.SkillTestResult": [_factory("quality.factories_skilltests", "SkillTestResultFactory")],
    "quality.SpecialPostFunding": [_factory("quality.factories_teachers", "SpecialPostFundingFactory")],
    "quality.TeachingResource": [
        _factory("quality.factories_resources", "TeachingResourceFactory"),
        _enterprise_resource,
    ],
    "quality.TechServiceIncome": [_factory("quality.factories_teachers", "TechServiceIncomeFactory")],
    "quality.TrainingParticipant": [
        _factory("quality.factories_training", "TrainingParticipantFactory"),
        _factory(
            "quality.factories_training",
            "TrainingParticipantFactory",
            session=_factory(
                "quality.factories_training", "TrainingSessionFactory", programme=_enterprise_programme
            ),
        ),
    ],
    "quality.TrainingProgramme": [
        _factory("quality.factories_training", "TrainingProgrammeFactory"),
        _enterprise_programme,
    ],
    "quality.TrainingSession": [
        _factory("quality.factories_training", "TrainingSessionFactory"),
        _factory("quality.factories_training", "TrainingSessionFactory", programme=_enterprise_programme),
    ],
    "schools.SchoolMajor": [_factory("schools.factories", "SchoolMajorFactory")],
    "schools.Student": [_factory("schools.factories", "StudentFactory")],
    "schools.Teacher": [_factory("schools.factories", "TeacherFactory")],
    "schools.TeacherPractice": [_factory("schools.factories", "TeacherPracticeFactory")],
}

ORG_TYPES = tuple(ORG_MODELS.values())
SKIP_APPS = {"core", "reference", "contenttypes", "auth", "sessions", "admin"}


def _relation_paths(model, target, depth=3, seen=()):
    """Lookup paths (``plan__school``) from ``model`` to ``target`` over forward relations and reverse
    foreign keys, at most ``depth`` hops, never through another organization or a catalog."""
    if depth == 0:
        return []
    paths = []
    for field in model._meta.get_fields():
        if not field.is_relation or field.related_model is None:
            continue
        related = field.related_model
        if related._meta.app_label in SKIP_APPS or related in seen:
            continue
        if field.auto_created and not field.concrete and not (field.one_to_many or field.one_to_one):
            continue  # reverse many-to-many: too wide to tie a row to anyone
        name = field.name  # a reverse relation's name is its query name
        if related is target:
            paths.append(name)
        elif related not in ORG_TYPES and not (field.auto_created and related._meta.model_name == "user"):
            paths += [
                f"{name}__{rest}" for rest in _relation_paths(related, target, depth - 1, (*seen, model))
            ]
    return paths


def tied_orgs(row, org_model) -> set[int]:
    """The organizations of ``org_model`` a row is tied to (itself, for an organization)."""
    model = type(row)
    if model is org_model:
        return {row.pk}
    found = set()
    for path in _relation_paths(model, org_model):
        found |= set(
            model._default_manager.filter(pk=row.pk)
            .exclude(**{f"{path}__isnull": True})
            .values_list(path, flat=True)
        )
    return found


def _restrict(model, user, action):
    """``Model.objects.restrict(user, action)``; through the policy for the few models (history rows, read
    only with their parent) whose manager has no ``restrict``."""
    queryset = model._default_manager.all()
    if hasattr(queryset, "restrict"):
        return queryset.restrict(user, action)
    return policy_for(model).scope(queryset, user, action)


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(BUILDERS))
def test_own_org_rules_return_only_own_organization_rows(label, _seeds):
    from django.apps import apps

    model = apps.get_model(label)
    rules = pm.own_org_rules({model: {r: {a: pm.describe(model, r, a) for a in ACTIONS} for r in pm.ROLES}})
    pairs = rules.get(model, [])
    assert pairs, f"{label} has no own-org rule: remove it from BEHAVIOUR_CHECKED"
    rows = [build() for build in BUILDERS[label] for _ in range(2)]
    pks = [row.pk for row in rows]
    hits = []
    for role, action in pairs:
        org_field = ROLE_ORGANIZATION[role]
        org_model = ORG_MODELS[org_field]
        ties = {row.pk: tied_orgs(row, org_model) for row in rows}
        orgs = set().union(*ties.values())
        assert len(orgs) >= 2, f"{label}: the rows are not of two organizations ({org_field})"
        for org_pk in orgs:
            user = user_with_role(role, **{org_field: org_model.objects.get(pk=org_pk)})
            visible = set(_restrict(model, user, action).filter(pk__in=pks).values_list("pk", flat=True))
            leaked = {pk for pk in visible if org_pk not in ties[pk]}
            assert not leaked, f"{label} {role} {action}: rows of another {org_field} {leaked}"
            if visible and visible != set(pks):
                hits.append((role, action))
        outsider = user_with_role(role, **{org_field: ORG_FACTORIES[org_field]()})
        assert not _restrict(model, outsider, action).filter(pk__in=pks).exists(), (
            f"{label} {role} {action}: a user of a third {org_field} sees rows"
        )
    # Not vacuous: some own-org rule shows a user its own organization's row, and not every row.
    assert hits, f"{label}: no own-org rule showed a user its own organization's row only ({pairs})"
