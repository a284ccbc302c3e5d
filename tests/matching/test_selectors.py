"""Recommendations with reasons: positions for a student, students for a position (consent), partners."""

import pytest
from django.core.exceptions import PermissionDenied

from xiaoqitong.enterprises.models import Position
from xiaoqitong.matching import selectors, services
from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Certificate, Major, Region
from xiaoqitong.schools.models import Student, StudentSkill
from xiaoqitong.schools.selectors import Access

from ..enterprises.factories import ApplicationFactory, GraduateOutcomeFactory
from ..orgs.factories import UserFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory
from .factories import cnc_posting, cnc_student, hotel_posting, skill

pytestmark = [pytest.mark.usefixtures("reference_data"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _no_rebuilds(monkeypatch):
    monkeypatch.setattr(services, "_ask_for_rebuild", lambda: None)


# --- positions for a student ---------------------------------------------------------------------------
def test_recommend_positions_with_reasons_and_what_is_missing():
    hotel, cnc = hotel_posting(), cnc_posting()
    student = cnc_student()
    results = selectors.recommend_positions(student, k=5)
    assert [r.position.pk for r in results] == [cnc.pk, hotel.pk]
    best = results[0].match
    assert best.percent > results[1].match.percent > 0
    assert 0 < best.score <= services.match_weights().max_score
    assert "岗位需求专业正是本专业" in best.reasons
    assert "必备技能覆盖 100%" in best.reasons
    assert best.missing_required_skills == [] and best.missing_bonus_skills == ["数控车削编程"]
    assert best.missing_bonus_certs == [Certificate.objects.order_by("code").first().name]
    assert sum(c["value"] for c in best.components) == pytest.approx(best.score, abs=1e-3)
    assert results[1].match.missing_required_skills == ["酒店前厅服务"]
    assert results[0].application is None and results[0].invitation is None

    # a change of the student shows at once (students are not indexed)
    StudentSkill.objects.create(student=student, skill=skill("数控车削编程"))
    assert selectors.recommend_positions(student, k=5)[0].match.missing_bonus_skills == []
    # a closed or deleted position is no longer recommended
    cnc.status = "closed"
    cnc.save()
    assert [r.position.pk for r in selectors.recommend_positions(student, k=5)] == [hotel.pk]
    Position.objects.filter(pk=hotel.pk).delete()
    assert selectors.recommend_positions(student) == []


def test_recommendations_carry_the_students_application():
    cnc = cnc_posting()
    student = cnc_student()
    application = ApplicationFactory(student=student, position=cnc)
    (result,) = selectors.recommend_positions(student)
    assert result.application == application


def test_a_position_above_the_students_level_is_explained_not_recommended():
    position = cnc_posting(min_education="associate")
    student = cnc_student()  # 中职
    assert selectors.recommend_positions(student) == []
    match = selectors.explain_pair(student, position)
    assert match.hard_filters == ["学历未达到岗位最低要求"]
    position.status = "closed"
    position.save()
    assert selectors.explain_pair(student, position) is None


# --- students for a position ---------------------------------------------------------------------------
@pytest.fixture
def candidates():
    position = cnc_posting()
    full = cnc_student(consent="full")
    anonymous = cnc_student(consent="deidentified")
    hidden = cnc_student(consent="none")
    applicant = cnc_student(consent="none")
    ApplicationFactory(student=applicant, position=position)
    employed = cnc_student(consent="full")
    GraduateOutcomeFactory(student=employed, outcome="employed")
    StudentSkill.objects.create(student=full, skill=skill("数控车削编程"))  # ranks first
    return position, full, anonymous, hidden, applicant, employed


def test_candidates_are_the_students_who_consent_or_applied(candidates):
    position, full, anonymous, _hidden, applicant, _employed = candidates
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=position.enterprise)
    results = selectors.recommend_students(hr, position)
    by_pk = {r.student.pk: r for r in results}
    assert set(by_pk) == {full.pk, anonymous.pk, applicant.pk}  # never the hidden one, nor the employed
    assert results[0].student.pk == full.pk and results[0].match.percent >= results[-1].match.percent
    assert by_pk[full.pk].access == Access.FULL
    assert by_pk[anonymous.pk].access == Access.DEIDENTIFIED
    assert by_pk[applicant.pk].access == Access.FULL and by_pk[applicant.pk].application is not None
    assert "岗位需求专业正是本专业" in by_pk[anonymous.pk].match.reasons
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=position.enterprise)
    assert {r.student.pk for r in selectors.recommend_students(mentor, position)} == set(by_pk)
    assert len(selectors.recommend_students(hr, position, k=1)) == 1


def test_a_changed_consent_shows_at_once(candidates):
    position, _full, anonymous, *_ = candidates
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=position.enterprise)
    selectors.recommend_students(hr, position)
    anonymous.consent = "none"
    anonymous.save()
    assert anonymous.pk not in {r.student.pk for r in selectors.recommend_students(hr, position)}


def test_administrators_see_what_the_enterprise_would_see(candidates):
    position, full, anonymous, _hidden, _applicant, _employed = candidates
    admin = UserFactory(is_superuser=True, is_staff=True)
    by_pk = {r.student.pk: r for r in selectors.recommend_students(admin, position)}
    assert set(by_pk) == {full.pk, anonymous.pk}
    assert by_pk[anonymous.pk].access == Access.DEIDENTIFIED


def test_who_may_see_candidates(candidates):
    position = candidates[0]
    for user in (
        user_with_role(Role.ENTERPRISE_HR),  # another enterprise
        user_with_role(Role.GOV_OFFICER),
        user_with_role(Role.SCHOOL_ADMIN),
        user_with_role(Role.STUDENT),
    ):
        with pytest.raises(PermissionDenied, match="只有发布该岗位的企业"):
            selectors.recommend_students(user, position)


def test_a_closed_position_has_no_candidates(candidates):
    position = candidates[0]
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=position.enterprise)
    position.status = "closed"
    position.save()
    assert selectors.recommend_students(hr, position) is None


# --- school majors and enterprises ---------------------------------------------------------------------
def test_major_partners_group_positions_by_enterprise():
    cnc = cnc_posting()
    cnc_posting(enterprise=cnc.enterprise, headcount=5)
    hotel = hotel_posting()
    school_major = cnc_student().school_major
    partners = selectors.major_partners(school_major)
    assert [p.enterprise.pk for p in partners] == [cnc.enterprise_id, hotel.enterprise_id]
    assert len(partners[0].positions) == 2 and partners[0].headcount == cnc.headcount + 5
    assert partners[0].match.percent > partners[1].match.percent
    assert "岗位需求专业正是本专业" in partners[0].match.reasons
    # the typical student holds the skills its students hold: PLC编程 is covered
    assert "PLC编程" not in partners[0].match.missing_required_skills
    assert selectors.major_partners(school_major, k=1)[0].enterprise.pk == cnc.enterprise_id


def test_enterprise_suppliers_rank_the_latest_school_majors():
    cnc = cnc_posting()
    student = cnc_student()  # 数控技术应用 at its school, 2024
    old = SchoolMajorFactory(school=student.school_major.school, year=2023)  # an earlier year: left out
    hotel_major = SchoolMajorFactory(major=Major.objects.get(code="740101"))
    StudentFactory(school_major=hotel_major)
    suppliers = selectors.enterprise_suppliers(cnc.enterprise)
    assert next(s.school_major.pk for s in suppliers) == student.school_major.pk
    assert old.pk not in [s.school_major.pk for s in suppliers]
    assert suppliers[0].position == cnc and suppliers[0].students == 1
    # a graduate keeps the row of its last school year (2023 here): still counted for the major
    cnc_student(school_major=old)
    assert selectors.enterprise_suppliers(cnc.enterprise)[0].students == 2
    # a major the school no longer runs in its latest year is not offered
    stopped = SchoolMajorFactory(
        school=student.school_major.school, year=2023, major=Major.objects.get(code="660301")
    )
    assert stopped.pk not in [s.school_major.pk for s in selectors.enterprise_suppliers(cnc.enterprise)]
    assert suppliers[0].match.percent > suppliers[-1].match.percent
    assert selectors.enterprise_suppliers(hotel_posting().enterprise)[0].school_major == hotel_major


def test_who_may_see_partners_and_suppliers():
    student = cnc_student()
    school_major = student.school_major
    own = user_with_role(Role.SCHOOL_ADMIN, school=school_major.school)
    teacher = user_with_role(Role.TEACHER, school=school_major.school)
    assert selectors.may_see_partners(own, school_major) and selectors.may_see_partners(teacher, school_major)
    assert selectors.may_see_partners(user_with_role(Role.GOV_OFFICER), school_major)
    assert not selectors.may_see_partners(user_with_role(Role.SCHOOL_ADMIN), school_major)
    assert not selectors.may_see_partners(user_with_role(Role.ENTERPRISE_HR), school_major)
    hr = user_with_role(Role.ENTERPRISE_HR)
    assert selectors.may_see_suppliers(hr, hr.enterprise)
    assert not selectors.may_see_suppliers(user_with_role(Role.ENTERPRISE_HR), hr.enterprise)
    assert not selectors.may_see_suppliers(user_with_role(Role.STUDENT), hr.enterprise)
    assert selectors.may_see_suppliers(user_with_role(Role.GOV_OFFICER), hr.enterprise)


def test_nothing_open_means_empty_results():
    student = cnc_student()
    hr = user_with_role(Role.ENTERPRISE_HR)
    assert selectors.recommend_positions(student) == []
    assert selectors.major_partners(student.school_major) == []
    assert selectors.enterprise_suppliers(hr.enterprise) == []


def test_candidates_never_reveal_a_students_hometown(candidates):
    position, _full, anonymous, *_ = candidates
    home = Region.objects.get(pk=position.county_id)
    Student.objects.filter(pk=anonymous.pk).update(hometown=home)
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=position.enterprise)
    by_pk = {r.student.pk: r for r in selectors.recommend_students(hr, position)}
    match = by_pk[anonymous.pk].match
    assert "在生源地就业" not in match.reasons
    assert "home_county" not in {c["name"] for c in match.components}
    assert sum(c["value"] for c in match.components) == pytest.approx(match.score, abs=1e-3)
    # the same student without that hometown scores the same: the ranking does not depend on it
    Student.objects.filter(pk=anonymous.pk).update(hometown=None)
    services.forget_index()
    again = {r.student.pk: r for r in selectors.recommend_students(hr, position)}
    assert again[anonymous.pk].match.score == pytest.approx(match.score, abs=1e-5)
    # the student still sees it for itself
    assert selectors.explain_pair(Student.objects.get(pk=anonymous.pk), position) is not None
