"""The matching pages, as each role meets them: 为我推荐, 推荐人选, 专业对接企业, 合作院校专业 and the
invitations (list, export, detail, invite, accept, decline, withdraw)."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from xiaoqitong.core.testing import login_clients
from xiaoqitong.enterprises.models import Application
from xiaoqitong.enterprises.services import NO_STUDENT_RECORD
from xiaoqitong.matching import services
from xiaoqitong.matching.models import Invitation
from xiaoqitong.orgs.choices import Role

from ..enterprises.factories import ApplicationFactory, PublishedPositionFactory, in_days
from ..orgs.factories import SchoolFactory, user_with_role
from ..schools.factories import SchoolMajorFactory, student_account
from .factories import cnc_posting, cnc_student

pytestmark = pytest.mark.usefixtures("reference_data")

FOR_ME = reverse("matching:for_me")
CANDIDATES_HOME = reverse("matching:candidates_home")
PARTNERS = reverse("matching:partners")
SUPPLIERS = reverse("matching:suppliers")
INVITATIONS = reverse("matching:invitation_list")


def page(user) -> Client:
    return login_clients(user)[0]


def html(response) -> str:
    return response.content.decode()


def candidates_url(position) -> str:
    return reverse("matching:candidates", kwargs={"pk": position.pk})


def invite_url(position) -> str:
    return reverse("matching:invite", kwargs={"pk": position.pk})


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def hr(db):
    return user_with_role(Role.ENTERPRISE_HR)


@pytest.fixture
def posting(hr):
    """An open 数控 posting of the HR's enterprise."""
    return cnc_posting(enterprise=hr.enterprise, title="数控车床操作工（急招）")


@pytest.fixture
def full_student(posting):
    """A 数控 student who shows a full profile to enterprises, with an account."""
    student = cnc_student(consent="full", name="李明远")
    student_account(student)
    return student


@pytest.fixture
def anonymous_student(posting):
    """A 数控 student who shows a de-identified profile only."""
    student = cnc_student(consent="deidentified", name="王秀英", student_no="NO-SECRET-77")
    student_account(student)
    return student


@pytest.fixture
def hidden_student(posting):
    """A 数控 student who shows nothing to enterprises."""
    return cnc_student(consent="none", name="赵不公开")


def invitation_for(hr, posting, student, message="欢迎投递") -> Invitation:
    return services.invitation_create(actor=hr, position=posting, student=student, message=message)


# --- 为我推荐 -----------------------------------------------------------------------------------------------
def test_for_me_lists_the_fitting_position_with_reasons_missing_skills_and_apply(full_student, posting):
    response = page(full_student.user).get(FOR_ME)
    assert response.status_code == 200
    body = html(response)
    assert "数控车床操作工（急招）" in body and posting.get_absolute_url() in body
    assert posting.enterprise.name in body
    row = response.context["rows"][0]
    assert row.position == posting and 0 < row.match.percent <= 100
    assert f"{row.match.percent}%" in body
    assert "岗位需求专业正是本专业" in body  # a reason
    assert "数控车削编程" in body and "可加分" in body  # the bonus skill the student lacks
    assert reverse("enterprises:position_apply", kwargs={"pk": posting.pk}) in body
    assert "修改技能和求职意向" in body  # how the percentage changes


def test_for_me_shows_an_existing_application_instead_of_the_apply_button(full_student, posting):
    application = ApplicationFactory(student=full_student, position=posting, status="interview")
    body = html(page(full_student.user).get(FOR_ME))
    assert "已投递（面试）" in body and application.get_absolute_url() in body
    assert reverse("enterprises:position_apply", kwargs={"pk": posting.pk}) not in body


def test_for_me_says_when_the_position_is_full(full_student, posting):
    for _ in range(posting.headcount):
        ApplicationFactory(position=posting, status="offered")
    body = html(page(full_student.user).get(FOR_ME))
    assert "名额已满" in body
    assert reverse("enterprises:position_apply", kwargs={"pk": posting.pk}) not in body


def test_for_me_empty_state_says_why(db):
    student = cnc_student(consent="full")
    response = page(student_account(student)).get(FOR_ME)
    assert response.status_code == 200 and response.context["rows"] == []
    assert "暂时没有为您推荐的岗位" in html(response)


def test_for_me_without_a_student_record_says_so(db):
    response = page(user_with_role(Role.STUDENT)).get(FOR_ME)
    assert response.status_code == 200
    assert str(NO_STUDENT_RECORD) in html(response)


@pytest.mark.parametrize(
    "role",
    [
        Role.ENTERPRISE_HR,
        Role.SCHOOL_ADMIN,
        Role.TEACHER,
        Role.GOV_OFFICER,
        Role.RESEARCHER,
        Role.PLATFORM_ADMIN,
    ],
)
def test_for_me_is_for_students_only(db, role):
    response = page(user_with_role(role)).get(FOR_ME)
    assert response.status_code == 403
    assert "面向学生账号" in html(response)


def test_anonymous_visitors_are_sent_to_login(db):
    for url in (FOR_ME, CANDIDATES_HOME, PARTNERS, SUPPLIERS, INVITATIONS):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


# --- invitations from the student's side --------------------------------------------------------------------
def test_student_accepts_an_invitation_on_for_me_and_so_applies(hr, posting, full_student):
    invitation = invitation_for(hr, posting, full_student, message="欢迎来面试")
    client = page(full_student.user)
    body = html(client.get(FOR_ME))
    assert "企业邀请您投递" in body and "欢迎来面试" in body
    # the invited position is applied for through the invitation, which then does not stay waiting
    assert reverse("enterprises:position_apply", kwargs={"pk": posting.pk}) not in body
    assert "接受邀请并投递" in body
    respond = reverse("matching:invitation_respond", kwargs={"pk": invitation.pk})
    response = client.post(respond, {"accept": "1", "note": "我想应聘", "next": FOR_ME}, follow=True)
    assert response.redirect_chain[-1][0] == FOR_ME
    assert "已接受邀请并投递" in messages_of(response)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    application = Application.objects.get(student=full_student, position=posting)
    assert invitation.application == application and application.note == "我想应聘"
    # answered: no longer waiting on 为我推荐, and the row shows the application
    body = html(client.get(FOR_ME))
    assert "企业邀请您投递" not in body and "data-applied>已投递<" in body
    # a second answer is refused with a message, not an error page
    response = client.post(respond, {"accept": "0"}, follow=True)
    assert response.status_code == 200 and "不能再回复" in messages_of(response)


def test_student_declines_an_invitation_on_its_page(hr, posting, full_student):
    invitation = invitation_for(hr, posting, full_student)
    client = page(full_student.user)
    detail = client.get(invitation.get_absolute_url())
    assert detail.status_code == 200 and "接受并投递" in html(detail) and "婉拒" in html(detail)
    response = client.post(
        reverse("matching:invitation_respond", kwargs={"pk": invitation.pk}), {"accept": "0"}, follow=True
    )
    assert response.redirect_chain[-1][0] == invitation.get_absolute_url()
    assert "已婉拒" in messages_of(response)
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Application.objects.filter(student=full_student).exists()


def test_only_the_invited_student_may_answer(hr, posting, full_student, anonymous_student):
    invitation = invitation_for(hr, posting, full_student)
    respond = reverse("matching:invitation_respond", kwargs={"pk": invitation.pk})
    # another student does not see the invitation at all
    assert page(anonymous_student.user).post(respond, {"accept": "1"}).status_code == 404
    # the enterprise sees it but may not answer in the student's name
    response = page(hr).post(respond, {"accept": "1"}, follow=True)
    assert response.status_code == 200 and "没有权限" in messages_of(response)
    # a bad answer is a message too
    response = page(full_student.user).post(respond, {"accept": "maybe"}, follow=True)
    assert response.status_code == 200 and messages_of(response)
    invitation.refresh_from_db()
    assert invitation.status == "sent"


def test_posts_need_the_csrf_token(hr, posting, full_student):
    invitation = invitation_for(hr, posting, full_student)
    client = Client(enforce_csrf_checks=True)
    client.force_login(full_student.user)
    response = client.post(
        reverse("matching:invitation_respond", kwargs={"pk": invitation.pk}), {"accept": "1"}
    )
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "sent"


def test_answer_and_withdraw_accept_only_post(hr, posting, full_student):
    invitation = invitation_for(hr, posting, full_student)
    for name in ("invitation_respond", "invitation_withdraw"):
        url = reverse(f"matching:{name}", kwargs={"pk": invitation.pk})
        assert page(hr).get(url).status_code == 405


# --- 推荐人选 -----------------------------------------------------------------------------------------------
def test_candidates_show_full_profiles_by_name_and_deidentified_ones_without(
    hr, posting, full_student, anonymous_student, hidden_student
):
    response = page(hr).get(candidates_url(posting))
    assert response.status_code == 200
    body = html(response)
    shown = {row.student.pk for row in response.context["rows"]}
    assert shown == {full_student.pk, anonymous_student.pk}
    # full consent: name, 学号 and a link to the profile
    assert "李明远" in body and full_student.student_no in body and full_student.get_absolute_url() in body
    # de-identified: school and major, never name, 学号, phone or profile link
    assert "王秀英" not in body and "NO-SECRET-77" not in body and anonymous_student.phone not in body
    assert anonymous_student.get_absolute_url() not in body
    assert "匿名学生" in body and anonymous_student.school.name in body
    # no consent: not there at all
    assert "赵不公开" not in body
    assert "仅显示同意向企业公开简历的学生" in body
    assert body.count('name="student"') == 2  # an invite form per student


def test_hr_invites_a_deidentified_student_and_sees_the_status(hr, posting, anonymous_student):
    client = page(hr)
    url = candidates_url(posting)
    response = client.post(
        invite_url(posting),
        {"student": anonymous_student.pk, "message": "欢迎来参观", "next": url},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url
    assert "已邀请“匿名学生" in messages_of(response)
    assert "王秀英" not in messages_of(response) and "王秀英" not in html(response)
    invitation = Invitation.objects.get(student=anonymous_student, position=posting)
    assert invitation.message == "欢迎来参观" and invitation.invited_by == hr
    assert "已邀请（待回复）" in html(response)
    # once per position and student: the second is refused with the service's message
    response = client.post(invite_url(posting), {"student": anonymous_student.pk, "next": url}, follow=True)
    assert "只能邀请一次" in messages_of(response)
    assert Invitation.objects.count() == 1


def test_candidates_show_applications_instead_of_the_invite_button(hr, posting, full_student):
    ApplicationFactory(student=full_student, position=posting)
    body = html(page(hr).get(candidates_url(posting)))
    assert "data-applied>已投递<" in body and 'name="student"' not in body


def test_invite_refusals_are_messages(hr, posting, full_student, hidden_student):
    url = candidates_url(posting)
    # a student who shows nothing to enterprises cannot be found by its id
    response = page(hr).post(invite_url(posting), {"student": hidden_student.pk, "next": url}, follow=True)
    assert response.status_code == 200 and "未向企业公开简历" in messages_of(response)
    # a mentor reads the candidates but does not invite
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=hr.enterprise)
    body = html(page(mentor).get(url))
    assert "李明远" in body and 'name="student"' not in body and "只有企业人事账号可以邀请" in body
    response = page(mentor).post(invite_url(posting), {"student": full_student.pk, "next": url}, follow=True)
    assert response.status_code == 200 and "没有权限" in messages_of(response)
    # no student given
    response = page(hr).post(invite_url(posting), {"next": url}, follow=True)
    assert response.status_code == 200 and messages_of(response)
    assert not Invitation.objects.exists()


def test_candidates_of_a_closed_position_say_it_is_not_open(hr, posting, full_student):
    posting.status = "closed"
    posting.save(update_fields=["status"])
    response = page(hr).get(candidates_url(posting))
    assert response.status_code == 200 and "岗位未在招聘中" in html(response)
    assert "李明远" not in html(response)


def test_candidates_are_the_positions_own_enterprise_only(hr, posting, full_student):
    assert page(user_with_role(Role.PLATFORM_ADMIN)).get(candidates_url(posting)).status_code == 200
    for role in (Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR, Role.SCHOOL_ADMIN, Role.GOV_OFFICER):
        response = page(user_with_role(role)).get(candidates_url(posting))
        assert response.status_code == 403, role
        assert "李明远" not in html(response)
    response = page(full_student.user).get(candidates_url(posting))
    assert response.status_code == 403
    # a draft of another enterprise is out of view altogether
    draft = PublishedPositionFactory(status="draft")
    assert page(hr).get(candidates_url(draft)).status_code == 404
    response = page(hr).post(invite_url(draft), {"student": full_student.pk})
    assert response.status_code == 404


def test_platform_admin_sees_deidentified_students_as_the_enterprise_would(posting, anonymous_student):
    body = html(page(user_with_role(Role.PLATFORM_ADMIN)).get(candidates_url(posting)))
    assert "匿名学生" in body and "王秀英" not in body


def test_candidates_empty_state_says_why(hr, posting):
    response = page(hr).get(candidates_url(posting))
    assert response.status_code == 200 and response.context["rows"] == []
    assert "暂时没有推荐人选" in html(response)


def test_candidates_home_lists_the_enterprises_open_positions(hr, posting):
    PublishedPositionFactory(enterprise=hr.enterprise, title="已过期的岗位", valid_until=in_days(-1))
    other = PublishedPositionFactory(title="别家的岗位")
    response = page(hr).get(CANDIDATES_HOME)
    assert response.status_code == 200
    body = html(response)
    assert posting.title in body and candidates_url(posting) in body
    assert "已过期的岗位" not in body and other.title not in body


def test_candidates_home_empty_state_and_refusals(hr):
    response = page(hr).get(CANDIDATES_HOME)
    assert response.status_code == 200 and "目前没有在招的岗位" in html(response)
    for role in (Role.STUDENT, Role.SCHOOL_ADMIN, Role.GOV_OFFICER, Role.RESEARCHER):
        assert page(user_with_role(role)).get(CANDIDATES_HOME).status_code == 403, role


def test_position_page_links_to_candidates_for_its_enterprise_only(hr, posting, full_student):
    link = candidates_url(posting)
    assert link in html(page(hr).get(posting.get_absolute_url()))
    assert link not in html(page(full_student.user).get(posting.get_absolute_url()))
    assert link not in html(page(user_with_role(Role.ENTERPRISE_HR)).get(posting.get_absolute_url()))


# --- 专业对接企业 -------------------------------------------------------------------------------------------
def test_school_sees_the_partner_enterprises_of_its_majors(posting, full_student):
    admin = user_with_role(Role.SCHOOL_ADMIN, school=full_student.school)
    response = page(admin).get(PARTNERS)
    assert response.status_code == 200
    assert response.context["school_major"] == full_student.school_major
    body = html(response)
    assert posting.enterprise.name in body and posting.get_absolute_url() in body
    result = response.context["results"][0]
    assert result.enterprise == posting.enterprise and result.headcount == posting.headcount
    assert f"{result.match.percent}%" in body
    # another school's major: refused
    other = SchoolMajorFactory()
    assert page(admin).get(f"{PARTNERS}?school_major={other.pk}").status_code == 403
    assert page(admin).get(f"{PARTNERS}?school_major=99999999").status_code == 404


def test_government_picks_a_school_and_a_major(posting, full_student):
    officer = page(user_with_role(Role.GOV_OFFICER))
    response = officer.get(f"{PARTNERS}?school={full_student.school_id}")
    assert response.status_code == 200 and 'name="school"' in html(response)
    assert response.context["school_major"] == full_student.school_major
    assert posting.enterprise.name in html(response)
    response = officer.get(f"{PARTNERS}?school_major={full_student.school_major_id}")
    assert response.context["school"] == full_student.school


def test_partners_empty_states_say_why(db):
    admin = user_with_role(Role.SCHOOL_ADMIN)
    response = page(admin).get(PARTNERS)
    assert response.status_code == 200 and "还没有登记开设的专业" in html(response)
    SchoolMajorFactory(school=admin.school)
    response = page(admin).get(PARTNERS)
    assert "暂时没有对口的在招企业" in html(response)


def test_partners_are_for_schools_and_government(db):
    for role in (Role.STUDENT, Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR, Role.RESEARCHER):
        response = page(user_with_role(role)).get(PARTNERS)
        assert response.status_code == 403 and "面向学校和政府部门" in html(response), role
    for role in (Role.TEACHER, Role.GOV_OFFICER, Role.PLATFORM_ADMIN):
        assert page(user_with_role(role)).get(PARTNERS).status_code == 200, role


def test_school_major_page_links_to_partners_for_its_school(db):
    school_major = SchoolMajorFactory(school=SchoolFactory())
    link = f"{PARTNERS}?school_major={school_major.pk}"
    own = user_with_role(Role.TEACHER, school=school_major.school)
    assert link in html(page(own).get(school_major.get_absolute_url()))
    assert link in html(page(user_with_role(Role.GOV_OFFICER)).get(school_major.get_absolute_url()))
    for user in (user_with_role(Role.SCHOOL_ADMIN), user_with_role(Role.ENTERPRISE_HR)):
        response = page(user).get(school_major.get_absolute_url())
        assert response.status_code == 200 and link not in html(response)


# --- 合作院校专业 -------------------------------------------------------------------------------------------
def test_enterprise_sees_the_school_majors_that_supply_it(hr, posting, full_student, anonymous_student):
    response = page(hr).get(SUPPLIERS)
    assert response.status_code == 200
    results = response.context["results"]
    # each factory student is of a school of its own: two school majors, one student looking in each
    assert {r.school_major for r in results} == {full_student.school_major, anonymous_student.school_major}
    assert all(r.position == posting and r.students == 1 for r in results)
    body = html(response)
    assert full_student.school.name in body and posting.get_absolute_url() in body
    assert 'name="enterprise"' not in body  # its own enterprise, no choice
    # the students themselves are counted, never named
    assert "李明远" not in body and "王秀英" not in body


def test_government_picks_an_enterprise(hr, posting, full_student):
    officer = page(user_with_role(Role.GOV_OFFICER))
    response = officer.get(f"{SUPPLIERS}?enterprise={hr.enterprise_id}")
    assert response.status_code == 200 and response.context["enterprise"] == hr.enterprise
    assert 'name="enterprise"' in html(response) and full_student.school.name in html(response)
    assert officer.get(f"{SUPPLIERS}?enterprise=99999999").status_code == 404


def test_suppliers_empty_state_says_why(hr):
    response = page(hr).get(SUPPLIERS)
    assert response.status_code == 200 and "该企业目前没有在招岗位" in html(response)
    response = page(user_with_role(Role.GOV_OFFICER)).get(SUPPLIERS)
    assert response.status_code == 200 and "目前没有企业在招聘" in html(response)


def test_suppliers_are_for_enterprises_and_government(db):
    for role in (Role.STUDENT, Role.SCHOOL_ADMIN, Role.TEACHER, Role.RESEARCHER):
        response = page(user_with_role(role)).get(SUPPLIERS)
        assert response.status_code == 403 and "面向企业和政府部门" in html(response), role


# --- the invitation list and detail -------------------------------------------------------------------------
def test_invitation_list_for_each_role(hr, posting, full_student, anonymous_student):
    mine = invitation_for(hr, posting, anonymous_student)
    other_hr = user_with_role(Role.ENTERPRISE_HR)
    other_position = cnc_posting(enterprise=other_hr.enterprise, title="别家的数控岗位")
    theirs = invitation_for(other_hr, other_position, full_student)
    school_admin = user_with_role(Role.SCHOOL_ADMIN, school=anonymous_student.school)

    def listed(user) -> set[int]:
        response = page(user).get(INVITATIONS)
        assert response.status_code == 200
        return {record.pk for record in response.context["table"].data}

    assert listed(hr) == {mine.pk}
    assert listed(other_hr) == {theirs.pk}
    assert listed(anonymous_student.user) == {mine.pk}
    assert listed(full_student.user) == {theirs.pk}
    assert listed(school_admin) == {mine.pk}  # its own student's, not the other school's
    assert listed(user_with_role(Role.ENTERPRISE_MENTOR, enterprise=hr.enterprise)) == {mine.pk}
    for role in (Role.GOV_OFFICER, Role.RESEARCHER):
        assert page(user_with_role(role)).get(INVITATIONS).status_code == 403, role
    # out of scope reads like a row that does not exist
    assert page(other_hr).get(mine.get_absolute_url()).status_code == 404
    assert page(full_student.user).get(mine.get_absolute_url()).status_code == 404


def test_enterprise_list_detail_and_export_keep_deidentified_students_anonymous(
    hr, posting, full_student, anonymous_student
):
    invitation_for(hr, posting, full_student)
    hidden = invitation_for(hr, posting, anonymous_student)
    client = page(hr)
    body = html(client.get(INVITATIONS))
    assert "李明远" in body and "匿名学生" in body
    assert "王秀英" not in body and "NO-SECRET-77" not in body
    detail = client.get(hidden.get_absolute_url())
    assert detail.status_code == 200
    assert "王秀英" not in html(detail) and "NO-SECRET-77" not in html(detail) and "匿名学生" in html(detail)
    assert anonymous_student.get_absolute_url() not in html(detail)
    response = client.get(f"{INVITATIONS}?export=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_student = {row["学号"]: row for row in rows}
    assert set(by_student) == {full_student.student_no, ""}
    assert by_student[full_student.student_no]["学生"] == str(full_student)
    assert "王秀英" not in response.content.decode("utf-8-sig")
    assert by_student[""]["学校"] == anonymous_student.school.name
    # a filtered export keeps the filter
    response = client.get(f"{INVITATIONS}?export=csv&status=accepted")
    assert list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))) == []


def test_export_rights(hr, posting, full_student):
    invitation_for(hr, posting, full_student)
    assert page(hr).get(f"{INVITATIONS}?export=xlsx").status_code == 200
    school_admin = user_with_role(Role.SCHOOL_ADMIN, school=full_student.school)
    response = page(school_admin).get(f"{INVITATIONS}?export=csv")
    assert response.status_code == 200 and "李明远" in response.content.decode("utf-8-sig")
    for user in (full_student.user, user_with_role(Role.ENTERPRISE_MENTOR, enterprise=hr.enterprise)):
        assert page(user).get(f"{INVITATIONS}?export=csv").status_code == 403


def test_invitation_list_filters_and_empty_states(hr, posting, full_student, anonymous_student):
    client = page(hr)
    response = client.get(INVITATIONS)
    assert "还没有发出投递邀请" in html(response)
    sent = invitation_for(hr, posting, full_student)
    declined = invitation_for(hr, posting, anonymous_student)
    services.invitation_respond(actor=anonymous_student.user, invitation=declined, accept=False)
    response = client.get(f"{INVITATIONS}?status=sent")
    assert {r.pk for r in response.context["table"].data} == {sent.pk}
    response = client.get(f"{INVITATIONS}?position={posting.pk}")
    assert {r.pk for r in response.context["table"].data} == {sent.pk, declined.pk}
    response = client.get(f"{INVITATIONS}?status=withdrawn")
    assert "没有符合筛选条件的邀请" in html(response)
    student_view = page(user_with_role(Role.STUDENT))
    assert "还没有企业邀请您投递" in html(student_view.get(INVITATIONS))


def test_hr_withdraws_an_invitation_on_its_page(hr, posting, full_student):
    invitation = invitation_for(hr, posting, full_student)
    client = page(hr)
    detail = html(client.get(invitation.get_absolute_url()))
    assert "撤回邀请" in detail and "李明远" in detail and "接受并投递" not in detail
    withdraw = reverse("matching:invitation_withdraw", kwargs={"pk": invitation.pk})
    response = client.post(withdraw, follow=True)
    assert response.redirect_chain[-1][0] == invitation.get_absolute_url()
    assert "已撤回" in messages_of(response)
    invitation.refresh_from_db()
    assert invitation.status == "withdrawn"
    # withdrawn: nothing left to do on either side, and a second withdrawal is a message
    assert "撤回邀请" not in html(client.get(invitation.get_absolute_url()))
    assert "接受并投递" not in html(page(full_student.user).get(invitation.get_absolute_url()))
    response = client.post(withdraw, follow=True)
    assert response.status_code == 200 and "不能撤回" in messages_of(response)


def test_only_the_enterprises_hr_withdraws(hr, posting, full_student):
    invitation = invitation_for(hr, posting, full_student)
    withdraw = reverse("matching:invitation_withdraw", kwargs={"pk": invitation.pk})
    mentor = user_with_role(Role.ENTERPRISE_MENTOR, enterprise=hr.enterprise)
    assert "撤回邀请" not in html(page(mentor).get(invitation.get_absolute_url()))
    response = page(mentor).post(withdraw, follow=True)
    assert response.status_code == 200 and "没有权限" in messages_of(response)
    response = page(full_student.user).post(withdraw, follow=True)
    assert response.status_code == 200 and "没有权限" in messages_of(response)
    assert page(user_with_role(Role.ENTERPRISE_HR)).post(withdraw).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "sent"


def test_student_sees_the_enterprise_and_position_on_the_invitation(hr, posting, full_student):
    invitation = invitation_for(hr, posting, full_student, message="欢迎来面试")
    response = page(full_student.user).get(invitation.get_absolute_url())
    body = html(response)
    assert response.status_code == 200
    assert posting.title in body and posting.enterprise.name in body and "欢迎来面试" in body
    assert posting.get_absolute_url() in body
    assert "撤回邀请" not in body


def test_accepted_invitation_links_to_the_application(hr, posting, full_student):
    invitation = invitation_for(hr, posting, full_student)
    services.invitation_respond(actor=full_student.user, invitation=invitation, accept=True)
    application = Application.objects.get(student=full_student, position=posting)
    for user in (hr, full_student.user):
        assert application.get_absolute_url() in html(page(user).get(invitation.get_absolute_url()))


# --- query counts -------------------------------------------------------------------------------------------
def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_run_no_query_per_row(hr, posting):
    """More students, invitations and positions: the same number of queries on each page."""
    client = page(hr)
    cnc_student(consent="full")
    invitation_for(hr, posting, cnc_student(consent="deidentified"))
    urls = (candidates_url(posting), INVITATIONS, CANDIDATES_HOME, SUPPLIERS)
    for url in urls:
        client.get(url)  # the index and the student arrays are built once per process
    few = {url: _queries(client, url) for url in urls}
    for _ in range(4):
        invitation_for(hr, posting, cnc_student(consent="deidentified"))
        cnc_student(consent="full")
        cnc_posting(enterprise=hr.enterprise)
    for url in urls:
        client.get(url)  # the index takes in the new positions (a rebuild when many changed)
    rows = len(page(hr).get(candidates_url(posting)).context["rows"])
    assert rows == 10
    many = {url: _queries(client, url) for url in urls}
    assert many == few


def test_for_me_runs_no_query_per_row(full_student):
    client = page(full_student.user)
    client.get(FOR_ME)
    few = _queries(client, FOR_ME)
    for _ in range(4):
        position = cnc_posting()
        invitation_for(
            user_with_role(Role.ENTERPRISE_HR, enterprise=position.enterprise), position, full_student
        )
    client.get(FOR_ME)  # the index takes in the new positions
    response = client.get(FOR_ME)
    assert len(response.context["rows"]) == 5 and len(response.context["invitations"]) == 4
    assert _queries(client, FOR_ME) == few
