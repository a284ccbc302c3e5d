"""The demo is dated from a reference day (``--as-of``, by default today) instead of a fixed spring: school
years, SchoolMajor and enrolment years, student statuses, postings, applications and outcomes all follow
from it, and the same seed with the same day gives the same rows."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max, Min
from django.utils import timezone

from xiaoqitong.core.models import AuditLog
from xiaoqitong.demo.context import MIN_AS_OF, school_year
from xiaoqitong.demo.generator import delete_generated, digest, generate
from xiaoqitong.demo.management.commands.demo import processes
from xiaoqitong.demo.models import DemoRun
from xiaoqitong.enterprises.choices import PositionStatus
from xiaoqitong.enterprises.models import Application, ApplicationEvent, GraduateOutcome, Position
from xiaoqitong.orgs.models import School, SchoolEnrolment, User
from xiaoqitong.schools.choices import StudentStatus
from xiaoqitong.schools.models import SchoolMajor, Student, Teacher, TeacherPractice

# Every step runs, with fewer students and postings (conftest.tiny_scale).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tiny_scale")]

SPRING = dt.date(2026, 4, 15)  # spring term of the school year 2025-2026
AUTUMN = dt.date(2026, 11, 28)  # autumn term of the school year 2026-2027
SUMMER = dt.date(2026, 7, 15)  # holiday: the class of 2026 has left, the school year 2025-2026 not over
FIRST_DAY = dt.date(2023, 9, 1)  # first day of the school year 2023-2024: a new class arriving


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2026, 11, 28), 2026),
        (dt.date(2026, 4, 15), 2025),
        (dt.date(2026, 9, 1), 2026),
        (dt.date(2026, 8, 31), 2025),
        (dt.date(2026, 1, 1), 2025),
        (dt.date(2026, 12, 31), 2026),
    ],
)
def test_a_school_year_starts_on_1_september(day, year):
    assert school_year(day) == year


def published_valid_share(day: dt.date) -> float:
    """The share of published postings still valid on ``day``."""
    published = Position.objects.filter(status=PositionStatus.PUBLISHED)
    return published.filter(valid_until__gte=day).count() / published.count()


def assert_dated_from(as_of: dt.date) -> None:
    """Everything the generator wrote is consistent with seeing the city on ``as_of``."""
    current = school_year(as_of)
    graduation = dt.date(as_of.year, 6, 30)
    next_graduation = as_of.year if as_of < graduation else as_of.year + 1
    assert DemoRun.objects.get().as_of == as_of
    # The years: SchoolMajor rows for the current school year and the four before, enrolment seven years.
    assert sorted(set(SchoolMajor.objects.values_list("year", flat=True))) == list(
        range(current - 4, current + 1)
    )
    assert sorted(set(SchoolEnrolment.objects.values_list("year", flat=True))) == list(
        range(current - 6, current + 1)
    )
    for row in SchoolMajor.objects.all():  # actual graduates once the year's graduation day has passed
        assert (row.actual_graduates is not None) == (dt.date(row.year + 1, 6, 30) <= as_of), row.year
    # Students: graduated exactly when their graduation day has passed; interning in the final year.
    students = list(Student.objects.select_related("school_major"))
    assert students
    for s in students:
        graduated = s.expected_graduation <= as_of
        if graduated:
            assert s.status in (StudentStatus.GRADUATED, StudentStatus.FURTHER_STUDY)
        else:
            assert s.status in (StudentStatus.STUDYING, StudentStatus.INTERNING, StudentStatus.DROPPED)
        if s.status == StudentStatus.INTERNING:
            assert s.expected_graduation.year == next_graduation
        assert s.entry_date <= as_of and s.grade <= current
        assert s.school_major.year == min(current, s.expected_graduation.year - 1)
    assert {s.status for s in students} >= {StudentStatus.STUDYING, StudentStatus.GRADUATED}
    demo_student = Student.objects.get(user__username="demo-student")
    assert demo_student.expected_graduation.year == next_graduation
    # Outcomes: graduates of the graduations on or before as_of only, one each.
    outcomes = GraduateOutcome.objects.select_related("student")
    assert outcomes.count() == sum(s.expected_graduation <= as_of for s in students) > 0
    assert outcomes.aggregate(m=Max("year"))["m"] == next_graduation - 1
    for o in outcomes:
        assert o.student.expected_graduation <= as_of and o.year == o.student.expected_graduation.year
    # Postings: the published ones valid on the day, the expired ones no more, none published later.
    assert published_valid_share(as_of) == 1
    assert not Position.objects.filter(status=PositionStatus.EXPIRED, valid_until__gte=as_of).exists()
    assert Position.objects.filter(status=PositionStatus.EXPIRED).exists()
    latest = Position.objects.aggregate(p=Max("published_at"), u=Max("updated_at"))
    assert timezone.localtime(latest["p"]).date() < as_of and timezone.localtime(latest["u"]).date() < as_of
    for p in Position.objects.all():
        assert p.start_date <= p.valid_until
    # Applications and their steps: the morning of the day (nothing on it or later); some in the weeks
    # before it.
    assert Application.objects.exists()
    last_event = timezone.localtime(ApplicationEvent.objects.aggregate(m=Max("time"))["m"]).date()
    assert as_of - dt.timedelta(days=75) <= last_event < as_of
    assert timezone.localtime(Application.objects.aggregate(m=Max("updated_at"))["m"]).date() < as_of
    first = Application.objects.aggregate(m=Min("created_at"))["m"]
    assert timezone.localtime(first).date() >= dt.date(next_graduation - 1, 2, 15)  # last hiring season
    # Teachers: recognized as “双师型” before the day, enterprise practice in the SchoolMajor years.
    dual = Teacher.objects.filter(is_dual_qualified=True)
    assert dual.exists() and not dual.filter(dual_qualified_date__gt=as_of).exists()
    years = set(TeacherPractice.objects.values_list("year", flat=True))
    assert years and years <= set(range(current - 4, current + 1))


@pytest.mark.parametrize("as_of", [SPRING, AUTUMN, SUMMER, FIRST_DAY, MIN_AS_OF], ids=str)
def test_every_date_follows_from_the_reference_day(reference, as_of):
    generate("small", 2021, as_of=as_of)
    assert_dated_from(as_of)


def test_two_reference_days_date_the_data_from_each(reference):
    """Generated as of a spring day and as of an autumn day: the data follows each; the spring postings are
    mostly out of date by the autumn (what the demo looked like before ``--as-of``)."""
    generate("small", 2021, as_of=SPRING)
    spring_years = set(SchoolMajor.objects.values_list("year", flat=True))
    assert spring_years == {2021, 2022, 2023, 2024, 2025}
    assert published_valid_share(SPRING) == 1
    assert published_valid_share(AUTUMN) < 0.5
    assert GraduateOutcome.objects.aggregate(m=Max("year"))["m"] == 2025
    delete_generated()

    generate("small", 2021, as_of=AUTUMN)
    assert set(SchoolMajor.objects.values_list("year", flat=True)) == {2022, 2023, 2024, 2025, 2026}
    assert published_valid_share(AUTUMN) == 1
    assert GraduateOutcome.objects.aggregate(m=Max("year"))["m"] == 2026  # the class of June 2026
    assert not SchoolMajor.objects.filter(year=2025, actual_graduates__isnull=True).exists()
    assert SchoolMajor.objects.filter(year=2026, actual_graduates__isnull=True).count() == (
        SchoolMajor.objects.filter(year=2026).count()
    )


def test_same_seed_and_day_same_rows_other_day_other_rows(reference):
    generate("small", 7, as_of=AUTUMN)
    first = digest()
    delete_generated()
    generate("small", 7, as_of=AUTUMN)
    assert digest() == first
    delete_generated()
    generate("small", 7, as_of=AUTUMN - dt.timedelta(days=1))
    other = digest()
    assert other["all"] != first["all"]
    assert other["enterprises.Position"] != first["enterprises.Position"]
    assert other["orgs.Enterprise"] == first["orgs.Enterprise"]  # nothing dated in enterprises


def test_the_command_takes_the_day_and_defaults_to_today(reference):
    out = io.StringIO()
    call_command("demo_data", "--no-progress", "--as-of", "2026-04-15", stdout=out)
    assert "基准日期 2026-04-15" in out.getvalue()
    assert DemoRun.objects.get().as_of == SPRING
    audit = AuditLog.objects.get(verb="demo_data")
    assert audit.changes["as_of"] == "2026-04-15"
    delete_generated()

    before = timezone.localdate()
    call_command("demo_data", "--no-progress", stdout=io.StringIO())
    run = DemoRun.objects.get()
    assert before <= run.as_of <= timezone.localdate()
    assert set(SchoolMajor.objects.values_list("year", flat=True)) == set(
        range(school_year(run.as_of) - 4, school_year(run.as_of) + 1)
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026/04/15", "日期格式应为 YYYY-MM-DD"),
        ("15.04.2026", "日期格式应为 YYYY-MM-DD"),
        ("2026-4-15", "日期格式应为 YYYY-MM-DD"),
        ("20260415", "日期格式应为 YYYY-MM-DD"),
        ("today", "日期格式应为 YYYY-MM-DD"),
        ("", "日期格式应为 YYYY-MM-DD"),
        ("２０２６-04-15", "日期格式应为 YYYY-MM-DD"),  # full-width digits
        ("2026-02-30", "不存在"),
        ("2026-13-01", "不存在"),
        ("2014-12-31", f"不能早于 {MIN_AS_OF:%Y-%m-%d}"),
    ],
)
def test_the_command_refuses_a_bad_day(reference, value, message):
    with pytest.raises(CommandError, match=message):
        call_command("demo_data", "--no-progress", "--as-of", value)
    assert not School.objects.exists() and not DemoRun.objects.exists()


def test_the_command_refuses_a_day_after_today(reference):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(CommandError, match="晚于今天"):
        call_command("demo_data", "--no-progress", "--as-of", tomorrow.isoformat())
    assert not School.objects.exists()


def test_the_demo_runner_refuses_a_bad_day(reference, settings):
    settings.DEMO_MODE = True
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        call_command("demo", "--prepare-only", "--as-of", "15/04/2026")
    assert not DemoRun.objects.exists()


def test_the_demo_worker_runs_beat(settings):
    _web, worker = processes("127.0.0.1", 8000)
    assert worker[worker.index("-A") + 1] == "xiaoqitong" and "worker" in worker
    assert "--beat" in worker
    assert worker[worker.index("--schedule") + 1] == str(settings.VAR_DIR / "celerybeat-schedule")


def test_the_demo_runner_dates_its_data_and_expires_what_is_out_of_date(reference, settings):
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("demo", "--prepare-only", "--as-of", "2026-04-15", stdout=out)
    assert DemoRun.objects.get().as_of == SPRING
    assert User.objects.filter(username="demo-student", student_profile__isnull=False).exists()
    # Seen today, postings of that spring past their date have expired (beat does the same every night).
    today = timezone.localdate()
    late = Position.objects.filter(status=PositionStatus.PUBLISHED, valid_until__lt=today)
    assert not late.exists()
    expired = AuditLog.objects.filter(verb="positions_expire").count()
    assert expired > 0 and f"已有 {expired} 个岗位过了有效期" in out.getvalue()
    # Run again with another day: the data stays, the runner says how to make it anew.
    out = io.StringIO()
    call_command("demo", "--prepare-only", "--as-of", "2026-04-16", stdout=out)
    assert DemoRun.objects.get().as_of == SPRING
    assert "demo_data --reset --as-of 2026-04-16" in out.getvalue()
