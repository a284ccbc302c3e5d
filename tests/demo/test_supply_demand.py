"""The supply and demand the generator makes, at the real small scale on the shipped catalogs.

One generation serves the whole module (about 5 s): it is committed once, outside the tests' transactions,
and removed when the module ends, with the departments and audit records it added, so that no other test
sees it. The tests only read. It is dated from a fixed spring day, the season of job fairs, so that the
figures checked here do not move with the day the tests run (test_as_of.py: other days, today included).
"""

import datetime as dt
import itertools
import re
from collections import Counter, defaultdict

import pytest
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from xiaoqitong.core import search
from xiaoqitong.core.models import AuditLog
from xiaoqitong.demo.context import SCALES, school_year
from xiaoqitong.demo.generator import delete_generated, generate
from xiaoqitong.enterprises import discrimination
from xiaoqitong.enterprises.choices import (
    APPLICATION_NEXT,
    EDUCATION_ORDER,
    HIRED,
    PUBLIC_POSITION,
    ApplicationStatus,
    Outcome,
    OutcomeSource,
    PositionStatus,
)
from xiaoqitong.enterprises.models import Application, GraduateOutcome, Position
from xiaoqitong.enterprises.selectors import further_study_rate
from xiaoqitong.orgs.models import Department, Enterprise, School, SchoolEnrolment, User
from xiaoqitong.reference.models import IndustryChain
from xiaoqitong.schools.choices import Duration, StudentStatus
from xiaoqitong.schools.models import (
    ASSOCIATE_ONLY_DURATIONS,
    LEVELS_BY_SCHOOL_TYPE,
    SchoolMajor,
    Student,
    Teacher,
    TeacherPractice,
)

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 4, 15)
CURRENT = school_year(AS_OF)  # 2025: the school year 2025-2026
FIRST = CURRENT - 4  # the first school year with SchoolMajor rows
LATEST = AS_OF.year - 1  # the latest graduation (June 2025): outcomes are by calendar year of graduation
EDUCATION_OF_LEVEL = {"secondary": "secondary", "associate": "associate", "bachelor": "vocational_bachelor"}
RANK = {value: i for i, value in enumerate(EDUCATION_ORDER)}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, reference_data):
    with django_db_blocker.unblock():
        audit_before = AuditLog.objects.aggregate(m=Max("id"))["m"] or 0
        departments_before = list(Department.objects.values_list("pk", flat=True))
        search.reset_dictionary()  # built from the shipped catalogs
        run = generate("small", 2021, as_of=AS_OF)
    try:
        yield run
    finally:
        with django_db_blocker.unblock():
            delete_generated()
            Department.objects.exclude(pk__in=departments_before).delete()
            AuditLog.objects.filter(id__gt=audit_before).delete()


def test_counts_follow_the_design(demo):
    scale = SCALES["small"]
    assert Student.objects.count() == scale.students == 3000
    assert Position.objects.count() == scale.positions == 1000
    assert demo.counts["schools.Student"] == 3000 and demo.counts["enterprises.Position"] == 1000
    assert set(SchoolMajor.objects.values_list("year", flat=True)) == set(range(FIRST, CURRENT + 1))
    graduates = Student.objects.filter(status__in=[StudentStatus.GRADUATED, StudentStatus.FURTHER_STUDY])
    assert GraduateOutcome.objects.count() == graduates.count() > 500
    assert Application.objects.count() > 400
    for school in School.objects.all():
        assert school.majors.filter(year=CURRENT).count() >= 6, school.name
        assert school.students.exists() and school.teachers.exists()


def test_school_majors_fit_the_school_and_add_up(demo):
    rows = list(SchoolMajor.objects.select_related("school", "major").prefetch_related("chains"))
    for row in rows:
        school_type = row.school.school_type
        assert row.major.education_level in LEVELS_BY_SCHOOL_TYPE[school_type], (row.school, row.major)
        assert row.new_enrolment <= row.students_enrolled and row.expected_graduates <= row.students_enrolled
        assert (row.actual_graduates is None) == (row.year == CURRENT)
        assert row.actual_graduates is None or row.actual_graduates <= row.expected_graduates
        assert row.enrolment_plan >= 0 and (row.new_enrolment == 0) == (row.enrolment_plan == 0)
        if row.duration in ASSOCIATE_ONLY_DURATIONS:
            assert row.major.education_level == "associate"
        chains = {c.code for c in row.chains.all()}
        assert chains == set(row.major.major_class.chains.values_list("code", flat=True))
    for row in rows[::25]:
        row.full_clean()
    # Each school's majors add up to about its full-time enrolment, year by year.
    for school in School.objects.all():
        for year in (FIRST, CURRENT):
            total = sum(r.students_enrolled for r in rows if r.school_id == school.pk and r.year == year)
            official = SchoolEnrolment.objects.get(school=school, year=year).full_time_students
            assert 0.75 * official <= total <= 1.3 * official, (school.name, year, total, official)
    # A cohort moves on: next year's enrolment of a major is this year's minus leavers plus the intake.
    by_key = {(r.school_id, r.major_id, r.year): r for r in rows}
    for (school, major, year), row in by_key.items():
        following = by_key.get((school, major, year + 1))
        if following is not None and following.duration == row.duration:
            assert following.students_enrolled <= row.students_enrolled + following.new_enrolment


def test_flagship_majors_and_five_year_programmes(demo):
    for school in School.objects.all():
        flagged = SchoolMajor.objects.filter(school=school, year=CURRENT)
        high = flagged.filter(is_provincial_high_level=True).count()
        quality = flagged.filter(is_quality=True).count()
        if school.school_type in ("associate", "bachelor"):
            assert 2 <= high <= 3 and quality == 0, school.name  # T10
        elif school.school_type == "secondary":
            assert 1 <= quality <= 2 and high == 0, school.name  # T11
        else:
            assert high == quality == 0

    def five_year_share(year):
        rows = SchoolMajor.objects.filter(year=year, major__education_level="associate")
        five = rows.filter(duration=Duration.FIVE_YEAR).count()
        return five / rows.count()

    assert five_year_share(CURRENT) > five_year_share(FIRST) > 0  # T5: rising


def test_students_are_consistent_with_their_grade_and_school(demo):
    students = Student.objects.select_related("school", "school_major__major", "hometown").annotate(
        skill_count=Count("skill_levels")
    )
    statuses = Counter()
    for s in students:
        assert s.school_major.school_id == s.school_id
        assert s.entry_date.year == s.grade and s.expected_graduation > s.entry_date
        assert 14 <= s.grade - s.birth_year <= 40
        assert s.hometown.level == "county"
        assert re.fullmatch(r"1[3-9]\d{9}", s.phone)
        assert not s.id_card_hash
        assert 2 <= s.skill_count <= 6
        # The row of the student's last school year: the current one, or the one they graduated from.
        assert s.school_major.year == min(CURRENT, s.expected_graduation.year - 1)
        graduated = s.expected_graduation <= AS_OF
        if graduated:
            assert s.status in (StudentStatus.GRADUATED, StudentStatus.FURTHER_STUDY)
        else:
            assert s.status in (StudentStatus.STUDYING, StudentStatus.INTERNING, StudentStatus.DROPPED)
        if s.status == StudentStatus.INTERNING:
            assert s.expected_graduation.year == AS_OF.year  # 顶岗实习 in the final year
        statuses[s.status] += 1
    assert all(statuses[s] for s in StudentStatus.values)
    for student in Student.objects.order_by("pk")[::50]:
        student.full_clean()
    consent = Counter(Student.objects.values_list("consent", flat=True))
    assert 0.4 < consent["full"] / 3000 < 0.6 and 0.2 < consent["deidentified"] / 3000 < 0.4
    in_own_county = Student.objects.filter(school__school_type="secondary", hometown=F("school__county"))
    assert in_own_county.count() > 0.55 * Student.objects.filter(school__school_type="secondary").count()


def test_demo_student_account_is_a_final_year_student(demo):
    user = User.objects.get(username="demo-student")
    student = user.student_profile
    assert student.school == user.school and student.name == user.display_name
    assert student.status == StudentStatus.INTERNING and student.consent == "full"
    assert student.applications.exists()
    student.full_clean()


def test_teachers_follow_the_policy_figures(demo):
    for school in School.objects.all():
        teachers = Teacher.objects.filter(school=school)
        size = SchoolEnrolment.objects.get(school=school, year=CURRENT).full_time_students
        assert 17 <= size / teachers.count() <= 26
        full = teachers.filter(employment="full_time")
        assert teachers.filter(employment="part_time").count() <= 0.3 * teachers.count()  # T18
        dual = full.filter(is_dual_qualified=True)
        assert 0.5 <= dual.count() / full.count() <= 0.9  # T20
        assert not dual.filter(dual_qualified_date__isnull=True).exists()
        assert not teachers.filter(employment="part_time", is_dual_qualified=True).exists()
    assert Teacher.objects.exclude(master_level="").exists()
    assert Teacher.objects.filter(is_special_post=True, school__school_type="secondary").exists()
    practices = TeacherPractice.objects.select_related("enterprise__county__parent")
    assert practices.count() > 300
    for p in practices:
        assert p.enterprise.registered_in_city and p.enterprise.county.parent.code == "431000"
        assert FIRST <= p.year <= CURRENT and 1 <= p.days <= 366


def test_positions_are_consistent(demo):
    positions = list(Position.objects.select_related("enterprise"))
    for p in positions:
        assert p.county_id == p.enterprise.county_id
        assert p.salary_min is None or p.salary_min <= p.salary_max
        assert p.start_date <= p.valid_until
        assert (p.published_at is not None) == (p.status in PUBLIC_POSITION)
        assert bool(p.review_note) == (p.status == PositionStatus.RETURNED)
        if p.status == PositionStatus.EXPIRED:
            assert p.valid_until < AS_OF
        if p.status in (PositionStatus.PUBLISHED, PositionStatus.SUBMITTED, PositionStatus.DRAFT):
            assert p.valid_until >= AS_OF
        assert p.search_text
        for part in ("公司简介：", "岗位职责：", "任职要求：", "工作地点："):
            assert part in p.description
    for p in positions[::40]:
        p.full_clean()
    statuses = Counter(p.status for p in positions)
    assert statuses.most_common(1)[0][0] == PositionStatus.PUBLISHED and len(statuses) == 6
    assert len({p.title for p in positions}) > 150
    wanting = Position.objects.filter(Q(majors__isnull=False) | Q(major_classes__isnull=False)).distinct()
    assert wanting.count() > 0.95 * len(positions)
    assert Position.objects.filter(skill_requirements__required=True).distinct().count() > 0.9 * len(
        positions
    )


def test_no_posting_sets_discriminatory_conditions(demo):
    """Every generated title and text passes the enterprises' check, warnings (age, height) included."""
    for title, description in Position.objects.values_list("title", "description"):
        assert not discrimination.scan(title), title
        assert not discrimination.scan(description), [f.words for f in discrimination.scan(description)]
        discrimination.check({"title": title, "description": description})


def test_every_chain_posts_in_its_own_words(demo):
    chains = list(IndustryChain.objects.prefetch_related("industries"))
    for chain in chains:
        prefixes = tuple(i.code for i in chain.industries.all())
        mine = Position.objects.filter(enterprise__industry__code__regex=rf"^({'|'.join(prefixes)})")
        assert mine.count() >= 10, chain.name


def test_hires_never_exceed_headcount(demo):
    over = Position.objects.annotate(
        hired=Count("applications", filter=Q(applications__status__in=HIRED))
    ).filter(hired__gt=F("headcount"))
    assert not over.exists()
    assert Application.objects.filter(status__in=HIRED).count() > 30


def test_applications_fit_the_student_and_have_a_timeline(demo):
    applications = Application.objects.select_related(
        "student__school_major__major", "position"
    ).prefetch_related("events")
    for a in applications:
        assert a.position.status in PUBLIC_POSITION
        level = EDUCATION_OF_LEVEL[a.student.school_major.major.education_level]
        assert RANK[a.position.min_education] <= RANK[level]
        assert a.created_at.date() <= a.position.valid_until
        events = list(a.events.all())
        assert events[0].from_status == "" and events[0].to_status == ApplicationStatus.SUBMITTED
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status
            assert after.to_status in APPLICATION_NEXT[before.to_status]
            assert after.time >= before.time
        assert events[-1].to_status == a.status
        assert a.created_at == events[0].time
        assert timezone.localtime(events[-1].time).date() < AS_OF  # the morning of AS_OF
    demo_hr = User.objects.get(username="demo-enterprise")
    assert Application.objects.filter(position__enterprise=demo_hr.enterprise).exists()


def test_outcomes_match_graduates_and_hires(demo):
    outcomes = list(GraduateOutcome.objects.select_related("student"))
    kinds = Counter(o.outcome for o in outcomes)
    assert set(kinds) == set(Outcome.values)
    for o in outcomes:
        assert o.year == o.student.expected_graduation.year <= AS_OF.year
        assert (o.outcome == Outcome.FURTHER_STUDY) == (o.student.status == StudentStatus.FURTHER_STUDY)
    for o in outcomes[::20]:
        o.full_clean()
    employed = [o for o in outcomes if o.outcome == Outcome.EMPLOYED]
    local = sum(bool(o.in_city) for o in employed) / len(employed)
    related = sum(bool(o.related_to_major) for o in employed) / len(employed)
    assert 0.5 < local < 0.8 and 0.55 < related < 0.85
    # A hire of a graduate is their outcome, and the other way round.
    hired = {
        (a.student_id, a.position.enterprise_id)
        for a in Application.objects.filter(
            status=ApplicationStatus.ONBOARDED, student__expected_graduation__lte=AS_OF
        ).select_related("position")
    }
    recorded = {
        (o.student_id, o.enterprise_id)
        for o in GraduateOutcome.objects.filter(source=OutcomeSource.HIRE_RECORD)
    }
    assert hired == recorded and recorded


def test_target_t1_has_structure(demo):
    """中职 graduates going on to 高职 and beyond: around the 40 % target, some schools above, some below."""
    city = further_study_rate(year=LATEST)
    assert 0.3 < city["rate"] < 0.6
    rates = defaultdict(list)
    for school in School.objects.filter(school_type="secondary"):
        for year in (LATEST - 2, LATEST - 1, LATEST):
            figure = further_study_rate(year=year, school=school)
            if figure["graduates"] >= 5:
                rates[school.name].append(figure["rate"])
    means = [sum(r) / len(r) for r in rates.values()]
    assert min(means) < 0.4 < max(means)


def test_search_finds_demo_positions_by_chain_word(demo):
    chain = IndustryChain.objects.get(name="装备制造")
    prefixes = tuple(i.code for i in chain.industries.all())
    found = list(search.search(Position.objects.select_related("enterprise__industry"), "装备制造"))
    assert len(found) > 20
    of_chain = [p for p in found if p.enterprise.industry.code.startswith(prefixes)]
    assert len(of_chain) > 0.8 * len(found)
    assert search.search(Position.objects.all(), "数控车床").exists()
    nursing = search.search(Student.objects.all(), "护理")
    assert nursing.exists()
    assert all("护理" in s.search_text for s in nursing[:20])
    enterprise = Enterprise.objects.order_by("pk").first()
    assert enterprise in search.search(Enterprise.objects.all(), enterprise.name)


def test_search_text_is_what_the_registered_builders_make(demo):
    """Computed in bulk before the insert, the stored text holds the same tokens as ``core.search`` makes
    from the saved rows (order aside: the database orders related rows by its collation)."""
    samples = [
        *Position.objects.order_by("pk")[::97],
        *Student.objects.order_by("pk")[::211],
        *Enterprise.objects.order_by("pk")[::23],
    ]
    for obj in samples:
        expected = search.search_text_for(obj)
        assert Counter(obj.search_text.split()) == Counter(expected.split()), obj
