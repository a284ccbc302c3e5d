"""Consent is respected everywhere an enterprise looks (PIPL, DESIGN rules 3-4).

On the demo city (the small scale, generated once for the module), an enterprise's HR and technician mentor
request *every* GET route of the site — pages and API, lists with a search ``q`` and a ``student`` filter,
csv/xlsx exports, details of every object linked to the student (their applications to other enterprises,
placements, grades, registrations, their events and positions), matching 推荐人选 and reverse recommendations
of the enterprise's own positions, booths' candidates — and no response may name a student who has not
consented and has not applied to that enterprise (name, 学号, phone, or their anonymous label). A consenting
student is seen where expected.

The routes are read from the URL resolver: a new route is requested without a change here. A route whose
arguments this module cannot fill fails :func:`test_every_route_is_walked` until it is given a model in
:data:`MODEL_BY_PREFIX` or a reason in :data:`NOT_WALKED`.
"""

import datetime as dt
import io
import json
import re
import zipfile
from collections import defaultdict
from urllib.parse import unquote

import pytest
from django.apps import apps
from django.db.models import Count, Max
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from xiaoqitong.cooperation.models import Agreement, Placement
from xiaoqitong.core import search
from xiaoqitong.core.models import AuditLog
from xiaoqitong.demo.generator import delete_generated, generate
from xiaoqitong.enterprises.models import Application
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Department, Enterprise
from xiaoqitong.quality.models import AssessmentPlan
from xiaoqitong.schools import privacy
from xiaoqitong.schools.models import Student

from ..orgs.factories import user_with_role

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 4, 15)
HIDDEN = {"name": "隐身测试生", "student_no": "HIDE20240001", "phone": "13700009991"}
APPLICANT_PHONE = "13700009993"
SHOWN = {"name": "公开测试生", "student_no": "SHOW20240001", "phone": "13700009992"}

# Routes whose view names no model: the model their <pk> is of (matched on the start of the route).
MODEL_BY_PREFIX = {
    "core/imports/": "core.ImportJob",
    "core/jobs/": "core.TaskRun",
    "core/notifications/": "core.Notification",
    "schools/students/": "schools.Student",
    "schools/data-requests/": "schools.DataRequest",
    "enterprises/positions/": "enterprises.Position",
    "enterprises/applications/": "enterprises.Application",
    "matching/positions/": "enterprises.Position",
    "matching/invitations/": "matching.Invitation",
    "analytics/school/": "orgs.School",
    "cooperation/agreements/": "cooperation.Agreement",
    "cooperation/agreement-members/": "cooperation.AgreementMember",
    "cooperation/agreement-changes/": "cooperation.AgreementChange",
    "cooperation/subsidy-claims/": "cooperation.SubsidyClaim",
    "cooperation/bases/": "cooperation.PracticeBase",
    "cooperation/bookings/": "cooperation.BaseBooking",
    "cooperation/internship-check-ins/check-in/": "cooperation.Placement",
    "quality/assessment/plans/": "quality.AssessmentPlan",
    "quality/certificates/coverage/": "orgs.School",
    "quality/skilltests/schools/": "orgs.School",
    "quality/resources/": "quality.TeachingResource",
    "quality/training/sessions/": "quality.TrainingSession",
    "events/registrations/": "events.Registration",
    "events/commitments/": "events.Commitment",
    "events/intentions/": "events.Intention",
    "events/slots/": "events.Slot",
    "events/<int:event_pk>/booths/": "events.Registration",
    "events/<int:pk>/": "events.Event",
    "certification/applications/": "certification.Application",
    "certification/opinions/": "certification.Opinion",
    "certification/documents/": "certification.Document",
    "certification/certified/": "certification.Certification",
    "certification/reviews/": "certification.Review",
    "api/v1/core/^notifications/": "core.Notification",
    "api/v1/core/^task-runs/": "core.TaskRun",
    "api/v1/schools/^data-requests/": "schools.DataRequest",
    "api/v1/matching/^positions/": "enterprises.Position",
    "api/v1/matching/^school-majors/": "schools.SchoolMajor",
    "api/v1/matching/^enterprises/": "orgs.Enterprise",
    "api/v1/analytics/^schools/": "orgs.School",
    "api/v1/quality/^certificate-coverage/": "orgs.School",
    "api/v1/events/^registrations/": "events.Registration",
    "api/v1/events/^booths/": "events.Registration",
    "api/v1/events/^minutes/": "events.Event",
}
# Routes not requested, and why.
NOT_WALKED = {
    "admin/": "the Django admin: platform administrators only (staff)",
    "governance/": "targets, assessments, funding and the quality report: aggregates, no student rows; "
    "enterprise users are refused (test_permissions of governance)",
    "public/data/": "published aggregate tables, no student rows (analytics' disclosure control tests)",
    "api/v1/analytics/^public/": "published aggregate tables, no student rows",
    "api/v1/governance/": "aggregates, no student rows",
    "events/checkin/": "a registration's secret check-in code: the enterprise cannot know another's",
}
PER_MODEL = 3  # rows about the hidden student, per model
OWN = 2  # rows the enterprise user sees, per model
STEP_ROUTE = re.compile(r"<str:(step|kind|decision)>")


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def routes():
    """(route, pattern) of every GET-able route (format-suffix twins of the API left out)."""
    for route, pattern in walk(get_resolver().url_patterns):
        if "(?P<format>" in route or "format>" in route:
            continue
        yield route, pattern


def arguments(route: str) -> list[str]:
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]


def model_of(route: str, pattern) -> str | None:
    view = pattern.callback
    config = getattr(getattr(view, "view_class", None), "config", None)
    if config is not None:
        return config.model._meta.label
    cls = getattr(view, "cls", None)
    if cls is not None:
        model = getattr(cls, "model", None) or getattr(getattr(cls, "queryset", None), "model", None)
        if model is not None:
            return model._meta.label
    for prefix in sorted(MODEL_BY_PREFIX, key=len, reverse=True):
        if route.startswith(prefix):
            return MODEL_BY_PREFIX[prefix]
    return None


def skipped(route: str) -> str | None:
    for prefix, reason in NOT_WALKED.items():
        if route.startswith(prefix):
            return reason
    if STEP_ROUTE.search(route):
        return "a workflow step: POST only"
    return None


def fill(route: str, values: dict[str, object]) -> str:
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), url)
    return "/" + url.replace("^", "").replace("$", "")


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # xlsx: the XML parts
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def secrets_of(student: Student) -> list[str]:
    values = [student.name, student.student_no, student.phone, f"匿名学生 #{student.pk}"]
    return [*values, json.dumps(student.name)[1:-1]]  # as a chart's JSON would carry it


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, reference_data):
    with django_db_blocker.unblock():
        audit_before = AuditLog.objects.aggregate(m=Max("id"))["m"] or 0
        departments_before = list(Department.objects.values_list("pk", flat=True))
        search.reset_dictionary()
        run = generate("small", 2021, as_of=AS_OF)
    try:
        yield run
    finally:
        with django_db_blocker.unblock():
            delete_generated()
            Department.objects.exclude(pk__in=departments_before).delete()
            AuditLog.objects.filter(id__gt=audit_before).delete()


@pytest.fixture
def scene(city):
    """One of the enterprises with the most applications; a student of a school it does not cooperate with
    who has not consented and applied elsewhere only (the one with the most related rows), and a consenting
    student who never applied to it."""
    hidden = None
    busiest = Enterprise.objects.annotate(n=Count("positions__applications")).order_by("-n", "pk")[:30]
    for enterprise in busiest:
        applied_here = Application.objects.filter(position__enterprise=enterprise).values("student_id")
        # Schools the enterprise cooperates with: their classes are graded by its mentors (双导师) and placed
        # with it, which a contract, not consent, allows. The hidden student comes from another school.
        partners = {
            *AssessmentPlan.objects.filter(enterprise=enterprise).values_list("school_id", flat=True),
            *Agreement.objects.filter(enterprise=enterprise).values_list("school_id", flat=True),
            *Placement.objects.filter(enterprise=enterprise).values_list("student__school_id", flat=True),
        }
        hidden = (
            Student.objects.filter(consent="none", applications__isnull=False)
            .exclude(pk__in=applied_here)
            .exclude(school_id__in=partners)
            .annotate(
                n=Count("applications", distinct=True)
                + Count("assessment_grades", distinct=True)
                + Count("placements", distinct=True)
            )
            .order_by("-n", "pk")
            .first()
        )
        if hidden is not None:
            break
    assert hidden is not None
    shown = Student.objects.filter(consent="full").exclude(pk__in=applied_here).order_by("pk").first()
    for student, values in ((hidden, HIDDEN), (shown, SHOWN)):
        Student.objects.filter(pk=student.pk).update(**values)
        student.refresh_from_db()
        search.refresh(student, save=True)
    applicant = Student.objects.filter(pk__in=applied_here).order_by("pk").first()
    Student.objects.filter(pk=applicant.pk).update(phone=APPLICANT_PHONE)
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=enterprise)
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=enterprise)
    return {"enterprise": enterprise, "hidden": hidden, "shown": shown, "hr": hr, "mentor": mentor}


def candidate_pks(user, hidden: Student) -> dict[str, list]:
    """For each model: the rows about the hidden student, the rows they point to (their positions, events,
    plans…), then the last rows the user may see (the enterprise's own positions, events, placements)."""
    found: dict[str, list] = defaultdict(list)

    def add(label, pk, limit):
        if pk not in found[label] and len(found[label]) < limit:
            found[label].append(pk)

    for model, rows in privacy.collect(hidden).items():
        for obj in list(rows.values())[:PER_MODEL]:
            add(model._meta.label, obj.pk, PER_MODEL)
            for field in model._meta.concrete_fields:
                if field.is_relation and getattr(obj, field.attname) is not None:
                    add(field.related_model._meta.label, getattr(obj, field.attname), PER_MODEL)
    for model in apps.get_models():
        if not hasattr(model.objects, "restrict"):
            continue
        for pk in model.objects.restrict(user).order_by("-pk").values_list("pk", flat=True)[:OWN]:
            add(model._meta.label, pk, PER_MODEL + OWN)
    return found


def urls_for(user, scene) -> tuple[list[str], list[str]]:
    """Every URL to request, and the routes that could not be filled."""
    hidden = scene["hidden"]
    pks = candidate_pks(user, hidden)
    urls, unfilled = [], []
    probe = f"q={hidden.name}&student={hidden.pk}"
    for route, pattern in routes():
        if skipped(route):
            continue
        args = arguments(route)
        if not args:
            url = fill(route, {})
            urls.append(url)
            name = pattern.name or ""
            if name.endswith(("_list", "-list")) or "filterset_class" in dir(
                getattr(pattern.callback, "cls", None)
            ):
                urls += [f"{url}?{probe}", f"{url}?q={hidden.student_no}"]
                if not route.startswith("api/"):
                    urls += [f"{url}?export=csv", f"{url}?export=xlsx"]
            continue
        model = model_of(route, pattern)
        if model is None:
            unfilled.append(route)
            continue
        apps.get_model(model)  # a wrong label in MODEL_BY_PREFIX fails here
        for pk in pks.get(model, []):
            values = dict.fromkeys(args, pk)
            if "event_pk" in args:
                values["event_pk"] = (
                    apps.get_model(model).objects.filter(pk=pk).values_list("event_id", flat=True).first()
                    or pk
                )
            if "school_pk" in args:
                values["school_pk"] = hidden.school_id
            urls.append(fill(route, values))
    return urls, unfilled


def leaks(user, scene, only: tuple[str, ...] = ()) -> tuple[list[str], int, list[str]]:
    """(leaks as "url: secret", the number of 200 answers, the URLs that failed with a server error)."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    urls, _unfilled = urls_for(user, scene)
    # the hidden student's identity, and the phone of any student in the clear (masking)
    secrets = [*secrets_of(scene["hidden"]), SHOWN["phone"], APPLICANT_PHONE]
    found, errors = [], []
    ok = 0
    for url in urls:
        if only and not url.startswith(only):
            continue
        response = client.get(url, HTTP_ACCEPT="text/html,application/json")
        if response.status_code >= 500:
            errors.append(url)
        if response.status_code != 200:
            continue
        ok += 1
        text = body_text(response)
        query = unquote(url.partition("?")[2])
        # a search echoes its own query (the search box): only what the request did not send counts
        found += [f"{url}: {s}" for s in secrets if s and s not in query and s in text]
    return found, ok, errors


def test_every_route_is_walked(scene):
    _urls, unfilled = urls_for(scene["hr"], scene)
    assert unfilled == [], "routes with arguments and no model: add them to MODEL_BY_PREFIX or NOT_WALKED"


@pytest.mark.parametrize("role", ["hr", "mentor"])
def test_a_student_without_consent_never_reaches_an_enterprise(scene, role):
    found, ok, errors = leaks(scene[role], scene)
    assert not found, "\n".join(found)
    assert ok > 300  # the walk reached the site, not a wall of 403s
    print(f"{role}: {ok} answers walked; server errors (not leaks): {errors}")


def test_the_walk_would_see_a_leak(scene):
    """The same walk as the school administrator of the hidden student finds them: the test can fail."""
    admin = user_with_role(Role.SCHOOL_ADMIN, school=scene["hidden"].school)
    client = Client()
    client.force_login(admin)
    text = body_text(client.get(f"/schools/students/?q={HIDDEN['name']}"))
    assert HIDDEN["name"] in text
    found, _ok, _errors = leaks(admin, scene, only=("/schools/", "/api/v1/schools/"))
    assert any(HIDDEN["student_no"] in f for f in found)


def test_a_consenting_student_is_seen_with_a_masked_phone(scene):
    shown = scene["shown"]
    for role in ("hr", "mentor"):
        client = Client()
        client.force_login(scene[role])
        for url in (
            f"/schools/students/?q={SHOWN['name']}",
            f"/api/v1/schools/students/?q={SHOWN['name']}",
            shown.get_absolute_url(),
            f"/api/v1/schools/students/{shown.pk}/",
        ):
            text = body_text(client.get(url))
            assert SHOWN["name"] in text and SHOWN["student_no"] in text, (role, url)
            assert SHOWN["phone"] not in text, (role, url)
        # the hidden one cannot be opened at all
        assert client.get(scene["hidden"].get_absolute_url()).status_code == 404
        assert client.get(f"/api/v1/schools/students/{scene['hidden'].pk}/").status_code == 404


def test_applicants_are_seen_by_the_enterprise_they_applied_to(scene):
    application = (
        Application.objects.filter(position__enterprise=scene["enterprise"], student__consent="none")
        .select_related("student")
        .first()
    )
    assert application is not None
    client = Client()
    client.force_login(scene["hr"])
    text = body_text(client.get(f"/enterprises/applications/{application.pk}/"))
    assert application.student.name in text
