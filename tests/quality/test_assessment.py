"""Dual-mentor assessment plans and grades: the generic pages, API, export and import of plans (natural key
学校代码 + 专业代码 + 年级 + 课程或模块 + 学期), who reads and writes which plan and grade, the grading
grid (its query count, its inline form, its export and grade import), “待评分”, “我的成绩” and the API's
grades, steps and my-grades."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoqitong.core.testing import ImportTests, ModelTests, check_access, csv_upload, login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.choices import GradePart, PlanStatus
from xiaoqitong.quality.models import AssessmentPlan, Grade
from xiaoqitong.quality.services import assessment as services
from xiaoqitong.quality.views.assessment import AssessmentPlanViews, GradeViews

from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, StudentFactory
from .factories_assessment import (
    AssessmentPlanFactory,
    closing_evaluation,
    dual_plan,
    internship_for,
    student_user,
)

pytestmark = pytest.mark.django_db
PLANS = "/api/v1/quality/assessment-plans/"
GRADES = "/api/v1/quality/grades/"
MY_GRADES = "/api/v1/quality/my-grades/"
THEORY, PRACTICE = GradePart.THEORY, GradePart.PRACTICE


def grade(dual, part, score, student=None):
    actor = dual.teacher if part == THEORY else dual.mentor
    return services.grade_set(
        actor=actor, plan=dual.plan, student=student or dual.students[0], part=part, score=score
    )


class TestAssessmentPlan(ImportTests, ModelTests):
    views = AssessmentPlanViews
    api_url = PLANS
    factory = AssessmentPlanFactory
    update_data = {"course": "数控铣削编程与加工"}

    def _people(self):
        major = SchoolMajorFactory()
        enterprise = EnterpriseFactory()
        teacher = user_with_role(Role.TEACHER, school=major.school)
        mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=enterprise)
        return major, enterprise, teacher, mentor

    def form_data(self):
        major, enterprise, teacher, mentor = self._people()
        return {
            "school": major.school.pk,
            "school_major": major.pk,
            "cohort": 2024,
            "course": "数控车削编程与加工",
            "term": "2025-2026 学年第二学期",
            "enterprise": enterprise.credit_code,
            "theory_weight": 40,
            "practice_weight": 60,
            "pass_score": 60,
            "teacher_usernames": teacher.username,
            "mentor_usernames": mentor.username,
            "internship_plan": "",
        }

    def api_data(self):
        major, enterprise, teacher, mentor = self._people()
        return {
            "school_major": major.pk,
            "cohort": 2024,
            "course": "电工电子技术",
            "term": "2025-2026 学年第一学期",
            "enterprise": enterprise.credit_code,
            "theory_weight": 50,
            "practice_weight": 50,
            "teachers": [teacher.username],
            "mentors": [mentor.username],
        }

    def import_rows(self):
        major, enterprise, teacher, mentor = self._people()
        return [
            {
                "学校代码": major.school.code,
                "专业代码": major.major.code,
                "年级": "2024",
                "课程或模块": course,
                "学期": "2025-2026 学年第二学期",
                "合作企业统一社会信用代码": enterprise.credit_code,
                "理论权重（%）": "40",
                "实践权重（%）": "60",
                "及格分": "60",
                "理论考核教师账号": teacher.username,
                "实践考核技师账号": mentor.username if n == 1 else "",
                "关联实习计划": "",
            }
            for n, course in ((1, "数控车削"), (2, "机械制图"))
        ]

    def test_the_import_checks_the_graders_row_by_row(self, client_admin, django_capture_on_commit_callbacks):
        from xiaoqitong.core.models import ImportJob

        rows = self.import_rows()
        rows[1]["实践考核技师账号"] = rows[0]["理论考核教师账号"]  # a teacher as technician
        rows[0]["理论考核教师账号"] = "nobody-here"
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        text = " ".join(f"{e['row']} {e['column']} {e['message']}" for e in job.errors)
        assert "2 理论考核教师账号 找不到教师账号：nobody-here" in text, job.errors
        assert "3 实践考核技师账号" in text and "R5" in text, job.errors
        assert not AssessmentPlan.objects.exists()

    def test_export_names_the_graders_by_login(self, client_admin):
        dual = dual_plan()
        body = client_admin.get(self.views.url_for("list") + "?export=csv").content.decode("utf-8-sig")
        assert dual.teacher.username in body and dual.mentor.username in body and "评分中" in body


# --- who reads and writes which plan ------------------------------------------------------------------------
ROLES = [
    Role.GOV_OFFICER,
    Role.SCHOOL_ADMIN,
    Role.TEACHER,
    Role.ENTERPRISE_HR,
    Role.ENTERPRISE_MENTOR,
    Role.STUDENT,
    Role.RESEARCHER,
]


@pytest.mark.parametrize("role", ROLES)
def test_plan_access_per_role(role):
    own = AssessmentPlanFactory()
    other = AssessmentPlanFactory()
    if role in (Role.SCHOOL_ADMIN, Role.TEACHER):
        user = user_with_role(role, school=own.school)
    elif role in (Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR):
        user = user_with_role(role, enterprise=own.enterprise)
    elif role == Role.STUDENT:
        user = student_user(StudentFactory(school_major=own.school_major))
    else:
        user = user_with_role(role)

    def may(action, is_own):
        if role == Role.GOV_OFFICER:
            return action in ("view", "export")
        if role == Role.SCHOOL_ADMIN:
            return is_own
        if role in (Role.TEACHER, Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR):
            return is_own and action in ("view", "export")
        if role == Role.STUDENT:
            return is_own and action == "view"
        return False

    check_access(user, AssessmentPlanViews, PLANS, may, own, other, label=role)


def test_a_student_reads_only_the_plans_of_their_class():
    dual = dual_plan(students=2)
    same_major_other_cohort = AssessmentPlanFactory(school_major=dual.plan.school_major, cohort=2023)
    user = student_user(dual.students[0])
    visible = set(AssessmentPlan.objects.restrict(user).values_list("pk", flat=True))
    assert visible == {dual.plan.pk}
    assert same_major_other_cohort.pk not in visible


def test_grades_are_scoped_students_see_their_own():
    dual = dual_plan(students=2)
    grade(dual, THEORY, 80, dual.students[0])
    grade(dual, THEORY, 70, dual.students[1])
    elsewhere = dual_plan(students=1)
    grade(elsewhere, PRACTICE, 60)
    student = student_user(dual.students[0])
    assert list(Grade.objects.restrict(student).values_list("score", flat=True)) == [80]
    assert Grade.objects.restrict(dual.teacher).count() == 2
    assert Grade.objects.restrict(dual.mentor).count() == 2
    assert Grade.objects.restrict(user_with_role(Role.GOV_OFFICER)).count() == 3
    assert Grade.objects.restrict(user_with_role(Role.RESEARCHER)).count() == 0
    _page, api = login_clients(student)
    assert [g["score"] for g in api.get(GRADES).data["results"]] == ["80.0"]
    _page, api = login_clients(elsewhere.teacher)
    assert api.get(GRADES).data["count"] == 1


# --- the grid -----------------------------------------------------------------------------------------------
def test_the_grid_runs_the_same_queries_whatever_the_class_size():
    dual = dual_plan(students=2)
    grade(dual, THEORY, 80)
    page, _api = login_clients(dual.teacher)
    url = dual.plan.get_absolute_url()
    page.get(url)
    with CaptureQueriesContext(connection) as few:
        assert page.get(url).status_code == 200
    for student in [StudentFactory(school_major=dual.plan.school_major) for _ in range(8)]:
        grade(dual, THEORY, 75, student)
        grade(dual, PRACTICE, 85, student)
    with CaptureQueriesContext(connection) as many:
        body = page.get(url).content.decode()
    assert len(many) == len(few), "the grid runs a query per student"
    assert body.count('data-grade-form="theory"') == 10
    assert 'data-grade-form="practice"' not in body


def test_the_grid_gives_each_grader_a_form_for_their_part_only():
    dual = dual_plan(students=1)
    grade(dual, THEORY, 80)
    grade(dual, PRACTICE, 90)
    body = login_clients(dual.mentor)[0].get(dual.plan.get_absolute_url()).content.decode()
    assert 'data-grade-form="practice"' in body and 'data-grade-form="theory"' not in body
    assert "86.0" in body and "及格" in body and "R5" in body
    body = login_clients(dual.admin)[0].get(dual.plan.get_absolute_url()).content.decode()
    assert "data-grade-form" not in body and "结束考核" in body
    services.plan_close(actor=dual.admin, plan=dual.plan)
    body = login_clients(dual.teacher)[0].get(dual.plan.get_absolute_url()).content.decode()
    assert "data-grade-form" not in body and "考核已结束" in body


def test_a_student_on_the_plan_page_sees_their_own_line_only():
    dual = dual_plan(students=2)
    grade(dual, THEORY, 80, dual.students[1])
    user = student_user(dual.students[0])
    page, _ = login_clients(user)
    body = page.get(dual.plan.get_absolute_url()).content.decode()
    assert dual.students[0].student_no in body and dual.students[1].student_no not in body
    assert page.get(reverse("quality:assessmentplan_grid", args=[dual.plan.pk])).status_code == 403


def test_the_inline_form_saves_and_htmx_gets_the_row_back():
    dual = dual_plan(students=1)
    student = dual.students[0]
    page, _ = login_clients(dual.teacher)
    url = reverse("quality:assessmentplan_grade", args=[dual.plan.pk])
    data = {"student": student.pk, "part": THEORY, "score": "78", "comment": "基础扎实"}
    response = page.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith("<tr") and f'id="grade-row-{student.pk}"' in body
    assert Grade.objects.get().score == 78
    response = page.post(url, data | {"part": PRACTICE, "score": "60"}, HTTP_HX_REQUEST="true")
    assert "R5" in response.content.decode() and Grade.objects.count() == 1
    response = page.post(url, data | {"score": "101"}, follow=True)
    assert "0 到 100" in response.content.decode()
    assert Grade.objects.get().score == 78


def test_a_plan_of_another_school_is_not_found_for_grading():
    dual = dual_plan(students=1)
    stranger = user_with_role(Role.TEACHER, school=SchoolFactory())
    page, _ = login_clients(stranger)
    url = reverse("quality:assessmentplan_grade", args=[dual.plan.pk])
    assert page.post(url, {"student": dual.students[0].pk, "part": THEORY, "score": "80"}).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_grid_export(fmt):
    dual = dual_plan(students=2)
    grade(dual, THEORY, 80)
    grade(dual, PRACTICE, 90)
    page, _ = login_clients(dual.admin)
    response = page.get(reverse("quality:assessmentplan_grid", args=[dual.plan.pk]) + f"?export={fmt}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        lines = response.content.decode("utf-8-sig").strip().splitlines()
        assert lines[0].startswith("学号,姓名,理论成绩") and len(lines) == 3
        assert "86.0,及格" in lines[1]


def test_the_grade_import_page_lists_every_error_then_imports():
    dual = dual_plan(students=2)
    page, _ = login_clients(dual.mentor)
    url = reverse("quality:assessmentplan_import_grades", args=[dual.plan.pk])
    body = page.get(url).content.decode()
    assert "实践操作" in body and "学号" in body
    template = page.get(url + "?template=csv").content.decode("utf-8-sig")
    assert all(s.student_no in template for s in dual.students)
    bad = [
        {"学号": "X1", "成绩": "80", "评语": ""},
        {"学号": dual.students[0].student_no, "成绩": "-5", "评语": ""},
    ]
    response = page.post(url, {"file": csv_upload(bad)})
    body = response.content.decode()
    assert response.status_code == 400 and "第 2 行" in body and "第 3 行" in body
    assert not Grade.objects.exists()
    good = [{"学号": s.student_no, "成绩": "88", "评语": "熟练"} for s in dual.students]
    response = page.post(url, {"file": csv_upload(good)}, follow=True)
    assert "已导入实践操作成绩：更新 2 人" in response.content.decode()
    assert set(Grade.objects.values_list("part", flat=True)) == {PRACTICE}
    assert login_clients(dual.admin)[0].get(url).status_code == 403


def test_close_reopen_and_from_internships_from_the_page():
    dual = dual_plan(students=2)
    internship = internship_for(dual)
    closing_evaluation(internship, dual.students[0], 82)
    page, _ = login_clients(dual.admin)
    response = page.post(reverse("quality:assessmentplan_from_internships", args=[dual.plan.pk]), follow=True)
    assert "新写入或更新 1 人" in response.content.decode()
    response = page.post(reverse("quality:assessmentplan_close", args=[dual.plan.pk]), follow=True)
    assert "考核已结束" in response.content.decode()
    response = login_clients(dual.teacher)[0].post(
        reverse("quality:assessmentplan_reopen", args=[dual.plan.pk]), follow=True
    )
    assert "学校管理员" in response.content.decode()
    page.post(reverse("quality:assessmentplan_reopen", args=[dual.plan.pk]))
    dual.plan.refresh_from_db()
    assert dual.plan.status == PlanStatus.OPEN


# --- lists, “待评分”, “我的成绩” ------------------------------------------------------------------------
def test_grade_list_and_api_list_run_no_query_per_row():
    dual = dual_plan(students=2)
    grade(dual, THEORY, 80)
    page, api = login_clients(dual.teacher)
    list_url = GradeViews.url_for("list")
    page.get(list_url)
    with CaptureQueriesContext(connection) as few_page:
        page.get(list_url)
    with CaptureQueriesContext(connection) as few_api:
        api.get(GRADES)
    for student in [StudentFactory(school_major=dual.plan.school_major) for _ in range(6)]:
        grade(dual, THEORY, 70, student)
        grade(dual, PRACTICE, 70, student)
    with CaptureQueriesContext(connection) as many_page:
        body = page.get(list_url).content.decode()
    with CaptureQueriesContext(connection) as many_api:
        assert api.get(GRADES).data["count"] == 13
    assert len(many_page) == len(few_page) and len(many_api) == len(few_api)
    assert dual.students[0].student_no in body
    export = page.get(list_url + "?export=csv").content.decode("utf-8-sig")
    assert export.splitlines()[0].startswith("学校代码,专业代码,年级,课程或模块,学期,学号")
    assert len(export.strip().splitlines()) == 14


def test_to_grade_page_and_counter():
    dual = dual_plan(students=2)
    page, _ = login_clients(dual.teacher)
    body = page.get(reverse("quality:assessment_to_grade")).content.decode()
    assert dual.plan.course in body and "理论教学" in body
    home = page.get(reverse("home")).content.decode()
    assert "待评分考核计划" in home and reverse("quality:assessment_to_grade") in home
    assert login_clients(dual.admin)[0].get(reverse("quality:assessment_to_grade")).status_code == 403


def test_my_grades_page_shows_both_parts_the_combined_grade_and_the_history_in_few_queries():
    dual = dual_plan(students=1)
    student = dual.students[0]
    user = student_user(student)
    grade(dual, THEORY, 70)
    grade(dual, THEORY, 80)
    grade(dual, PRACTICE, 90)
    page, api = login_clients(user)
    url = reverse("quality:assessment_my_grades")
    page.get(url)
    with CaptureQueriesContext(connection) as few:
        body = page.get(url).content.decode()
    assert "86.0" in body and dual.teacher.username in body and dual.mentor.username in body
    assert body.count("<tr><td>理论教学</td>") == 2  # both revisions of the theory part
    second = AssessmentPlanFactory(school_major=dual.plan.school_major, course="第二门课")
    second.teachers.add(dual.teacher)
    services.grade_set(actor=dual.teacher, plan=second, student=student, part=THEORY, score=66)
    with CaptureQueriesContext(connection) as many:
        body = page.get(url).content.decode()
    assert "第二门课" in body and len(many) == len(few)
    data = api.get(MY_GRADES).data
    first = next(row for row in data if row["plan"] == dual.plan.pk)
    assert first["combined"] == "86.0" and first["passed"] is True
    assert [r["score"] for r in first["theory"]["revisions"]] == ["70.0", "80.0"]
    assert next(row for row in data if row["plan"] == second.pk)["combined"] is None
    assert login_clients(dual.teacher)[1].get(MY_GRADES).status_code == 403
    assert login_clients(dual.teacher)[0].get(url).status_code == 403


# --- the API ------------------------------------------------------------------------------------------------
def test_api_grades_post_goes_through_r5():
    dual = dual_plan(students=1)
    student = dual.students[0]
    payload = {"plan": dual.plan.pk, "student_no": student.student_no, "part": THEORY, "score": 83}
    _page, teacher = login_clients(dual.teacher)
    response = teacher.post(GRADES, payload, format="json")
    assert response.status_code == 201, response.data
    assert response.data["score"] == "83.0" and response.data["grader"] == dual.teacher.username
    response = teacher.post(GRADES, payload | {"part": PRACTICE}, format="json")
    assert response.status_code == 403 and "R5" in str(response.data["detail"])
    _page, mentor = login_clients(dual.mentor)
    response = mentor.post(GRADES, payload, format="json")
    assert response.status_code == 403 and "R5" in str(response.data["detail"])
    assert mentor.post(GRADES, payload | {"part": PRACTICE}, format="json").status_code == 201
    response = mentor.post(GRADES, payload | {"part": PRACTICE, "score": 120}, format="json")
    assert response.status_code == 400 and "0 到 100" in str(response.data)
    response = mentor.post(GRADES, payload | {"part": PRACTICE, "student_no": "NOPE"}, format="json")
    assert response.status_code == 400 and "考核范围" in str(response.data)
    _page, admin = login_clients(dual.admin)
    response = admin.post(GRADES, payload, format="json")
    assert response.status_code == 403 and "R5" in str(response.data["detail"])
    stranger = login_clients(user_with_role(Role.TEACHER, school=SchoolFactory()))[1]
    assert stranger.post(GRADES, payload, format="json").status_code == 400  # the plan is out of sight
    assert Grade.objects.count() == 2
    assert teacher.patch(f"{GRADES}{Grade.objects.first().pk}/", {"score": 1}, format="json").status_code in (
        403,
        405,
    )


def test_api_plan_steps():
    dual = dual_plan(students=2)
    internship = internship_for(dual)
    closing_evaluation(internship, dual.students[0], 77)
    grade(dual, PRACTICE, 95, dual.students[1])
    _page, mentor = login_clients(dual.mentor)
    response = mentor.post(f"{PLANS}{dual.plan.pk}/from-internships/")
    assert response.status_code == 200
    assert response.data == {"set": 1, "unchanged": 0, "skipped": 0, "without_evaluation": 1}
    assert mentor.post(f"{PLANS}{dual.plan.pk}/close/").status_code == 403
    _page, admin = login_clients(dual.admin)
    response = admin.post(f"{PLANS}{dual.plan.pk}/close/")
    assert response.status_code == 200 and response.data["status"] == PlanStatus.CLOSED
    assert admin.post(f"{PLANS}{dual.plan.pk}/close/").status_code == 400
    assert admin.post(f"{PLANS}{dual.plan.pk}/reopen/").data["status"] == PlanStatus.OPEN
    stranger = login_clients(user_with_role(Role.SCHOOL_ADMIN))[1]
    assert stranger.post(f"{PLANS}{dual.plan.pk}/close/").status_code == 404


def test_api_plan_create_refuses_graders_of_the_wrong_kind():
    admin = user_with_role(Role.SCHOOL_ADMIN)
    major = SchoolMajorFactory(school=admin.school)
    enterprise = EnterpriseFactory()
    teacher = user_with_role(Role.TEACHER, school=SchoolFactory())
    _page, api = login_clients(admin)
    payload = {
        "school_major": major.pk,
        "cohort": 2024,
        "course": "钳工实训",
        "term": "2025-2026 学年第一学期",
        "enterprise": enterprise.credit_code,
        "teachers": [teacher.username],
    }
    response = api.post(PLANS, payload, format="json")
    assert response.status_code == 400 and "R5" in response.data["teachers"][0]
    response = api.post(PLANS, payload | {"teachers": ["ghost"]}, format="json")
    assert response.status_code == 400 and "ghost" in str(response.data["teachers"])
    response = api.post(
        PLANS, payload | {"teachers": [], "school_major": SchoolMajorFactory().pk}, format="json"
    )
    assert response.status_code == 400 and "school_major" in response.data
    response = api.post(PLANS, payload | {"teachers": []}, format="json")
    assert response.status_code == 201 and response.data["school"] == admin.school.code
