"""The library pages: who sees which resources (drafts only inside their organization), the filters (major
by code and by name, skill, kind, owner school, free text), the order by rating, the list's query count,
the upload on the add page, the download (streamed, Content-Disposition, counted for the school), the
rating form with its refusal, publish / unpublish steps, the usage page, exports and the link import."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import check_access, csv_upload, login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.choices import ResourceKind, ResourceUseKind
from xiaoqitong.quality.models import ResourceRating, ResourceUse, TeachingResource
from xiaoqitong.quality.views.resources import TeachingResourceViews

from ..orgs.factories import SchoolFactory, user_with_role
from .factories_resources import (
    EXE,
    MAJOR,
    OTHER_MAJOR,
    PDF,
    ResourceRatingFactory,
    ResourceUseFactory,
    TeachingResourceFactory,
    major,
    media_root,  # noqa: F401  (autouse: a temporary MEDIA_ROOT)
    skill,
    upload,
)

pytestmark = pytest.mark.django_db
LIST = reverse("quality:teachingresource_list")
API = "/api/v1/quality/teaching-resources/"


def titles(response) -> set[str]:
    body = response.content.decode()
    return {r.title for r in TeachingResource.objects.all() if r.title in body}


def test_access_per_role():
    school = SchoolFactory()
    own = TeachingResourceFactory(owner_school=school)
    other = TeachingResourceFactory()
    teacher = user_with_role(Role.TEACHER, school=school)

    def teacher_may(action, is_own):
        return action in {"view", "export"} or is_own

    check_access(teacher, TeachingResourceViews, API, teacher_may, own, other, "teacher")
    officer = user_with_role(Role.GOV_OFFICER)
    check_access(
        officer, TeachingResourceViews, API, lambda a, o: a in {"view", "export"}, own, other, "officer"
    )
    nobody = lambda a, o: False  # noqa: E731
    for role in (Role.STUDENT, Role.RESEARCHER):
        check_access(user_with_role(role), TeachingResourceViews, API, nobody, own, other, role)


def test_drafts_are_invisible_outside_their_organization():
    draft = TeachingResourceFactory(published=False, title="未发布的草稿资源")
    published = TeachingResourceFactory(title="已发布的共享资源")
    other, _ = login_clients(user_with_role(Role.TEACHER))
    assert titles(other.get(LIST)) == {published.title}
    assert other.get(draft.get_absolute_url()).status_code == 404
    assert other.get(reverse("quality:teachingresource_download", args=[draft.pk])).status_code == 404
    officer, _ = login_clients(user_with_role(Role.GOV_OFFICER))
    assert officer.get(draft.get_absolute_url()).status_code == 404
    owner, _ = login_clients(user_with_role(Role.TEACHER, school=draft.owner_school))
    assert titles(owner.get(LIST)) == {draft.title, published.title}
    assert titles(owner.get(LIST + "?mine=true")) == {draft.title}
    assert "草稿（仅本单位可见）" in owner.get(draft.get_absolute_url()).content.decode()


def test_filters_by_major_skill_kind_owner_school_and_text():
    school = SchoolFactory(name="郴州职业技术学院")
    cnc = TeachingResourceFactory(title="数控车床编程课程", owner_school=school, skills=[skill()])
    web = TeachingResourceFactory(
        title="网页设计活页教材",
        kind=ResourceKind.LOOSE_LEAF,
        majors=[major(OTHER_MAJOR)],
        summary="前端开发",
    )
    for resource in (cnc, web):  # the factory writes no search text: the services do
        from xiaoqitong.core import search

        search.refresh(resource, save=True)
    page, _ = login_clients(user_with_role(Role.TEACHER))
    assert titles(page.get(LIST + f"?major={MAJOR}")) == {cnc.title}
    assert titles(page.get(LIST + "?major=6601")) == {cnc.title}  # the major's class
    assert titles(page.get(LIST + "?major=计算机应用")) == {web.title}
    assert titles(page.get(LIST + "?skill=可编程控制器")) == {cnc.title}  # a synonym
    assert titles(page.get(LIST + "?kind=loose_leaf")) == {web.title}
    assert titles(page.get(LIST + f"?owner_school={school.code}")) == {cnc.title}
    assert titles(page.get(LIST + "?owner_school=郴州职业")) == {cnc.title}
    assert titles(page.get(LIST + "?q=前端")) == {web.title}
    assert titles(page.get(LIST + "?q=plc")) == {cnc.title}


def test_sorted_by_rating_with_stars_counts_and_uses_shown():
    low = TeachingResourceFactory(title="评分较低的资源")
    high = TeachingResourceFactory(title="评分较高的资源")
    TeachingResourceFactory(title="没有评价的资源")
    ResourceRatingFactory(resource=low, stars=2)
    ResourceRatingFactory(resource=high, stars=5)
    ResourceRatingFactory(resource=high, stars=4)
    ResourceUseFactory.create_batch(3, resource=high)
    page, _ = login_clients(user_with_role(Role.TEACHER))
    body = page.get(LIST + "?sort=rating").content.decode()
    assert body.index(high.title) < body.index(low.title) < body.index("没有评价的资源")
    reverse = page.get(LIST + "?sort=-rating").content.decode()  # the table's own reverse order
    assert reverse.index(low.title) < reverse.index(high.title) < reverse.index("没有评价的资源")
    assert "★ 4.5（2）" in body and "★ 2.0（1）" in body and "暂无评价" in body
    body = page.get(high.get_absolute_url()).content.decode()
    assert "下载 3 次，引用到课程 0 次" in body


def test_library_list_and_api_run_no_query_per_row():
    teacher = user_with_role(Role.TEACHER)
    page, api = login_clients(teacher)

    def counts():
        with CaptureQueriesContext(connection) as pages:
            assert page.get(LIST + "?sort=rating").status_code == 200
        with CaptureQueriesContext(connection) as apis:
            assert api.get(API + "?sort=rating").status_code == 200
        return len(pages), len(apis)

    def batch(n):
        for resource in TeachingResourceFactory.create_batch(n, skills=[skill()]):
            ResourceRatingFactory(resource=resource)
            ResourceUseFactory(resource=resource)

    batch(2)
    few = counts()
    batch(8)
    assert counts() == few


def test_add_page_uploads_a_file_and_refuses_a_renamed_executable():
    teacher = user_with_role(Role.TEACHER)
    page, _ = login_clients(teacher)
    data = {"title": "数控加工工作手册", "kind": "workbook", "summary": "", "link": "", "major_codes": MAJOR}
    response = page.post(reverse("quality:teachingresource_add"), data | {"file": upload("手册.pdf", EXE)})
    assert response.status_code == 400
    assert "文件内容是可执行程序或脚本，不能上传" in response.content.decode()
    response = page.post(
        reverse("quality:teachingresource_add"),
        data | {"file": upload("手册.pdf", PDF), "skill_names": "PLC编程、不存在的技能"},
    )
    assert response.status_code == 400 and "技能目录中没有：不存在的技能" in response.content.decode()
    response = page.post(
        reverse("quality:teachingresource_add"),
        data | {"file": upload("手册.pdf", PDF), "skill_names": "PLC编程"},
    )
    assert response.status_code == 302
    resource = TeachingResource.objects.get()
    assert resource.owner_school == teacher.school and not resource.published
    assert [s.name for s in resource.skills.all()] == ["PLC编程"]
    response = page.post(reverse("quality:teachingresource_publish", args=[resource.pk]))
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.published


def test_download_streams_the_file_counts_it_and_names_it():
    owner = user_with_role(Role.TEACHER)
    from xiaoqitong.quality.services import resources as services

    resource = services.resource_create(
        actor=owner,
        data={"title": "数控编程/教案", "kind": "course", "majors": [major()], "file": upload("x.pdf", PDF)},
    )
    services.resource_publish(actor=owner, resource=resource)
    url = reverse("quality:teachingresource_download", args=[resource.pk])
    user = user_with_role(Role.TEACHER)
    page, _ = login_clients(user)
    response = page.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%E6%95%B0%E6%8E%A7%E7%BC%96%E7%A8%8B%E6%95%99%E6%A1%88.pdf" in disposition  # 数控编程教案.pdf
    use = ResourceUse.objects.get()
    assert (use.school, use.kind, use.user) == (user.school, ResourceUseKind.DOWNLOAD, user)
    own, _ = login_clients(owner)
    assert own.get(url).status_code == 200
    assert ResourceUse.objects.count() == 1  # the owner's own download is not a use
    link_only = TeachingResourceFactory()
    assert page.get(reverse("quality:teachingresource_download", args=[link_only.pk])).status_code == 404


def test_rating_form_saves_updates_and_refuses_the_owner_with_the_reason():
    resource = TeachingResourceFactory()
    url = reverse("quality:teachingresource_rate", args=[resource.pk])
    page, _ = login_clients(user_with_role(Role.TEACHER))
    assert page.post(url, {"stars": "4", "comment": "好用"}).status_code == 302
    assert page.post(url, {"stars": "5", "comment": "很好用"}).status_code == 302
    rating = ResourceRating.objects.get()
    assert (rating.stars, rating.comment) == (5, "很好用")
    body = page.get(resource.get_absolute_url()).content.decode()
    assert "修改评价" in body and "很好用" in body
    owner, _ = login_clients(user_with_role(Role.TEACHER, school=resource.owner_school))
    body = owner.get(resource.get_absolute_url()).content.decode()
    assert "data-rating-form" not in body and "不能评价" in body
    response = owner.post(url, {"stars": "5"})
    assert response.status_code == 400 and "不能评价本单位发布的资源" in response.content.decode()
    assert ResourceRating.objects.count() == 1


def test_reuse_button_and_officer_unpublish_with_reason():
    resource = TeachingResourceFactory()
    user = user_with_role(Role.TEACHER)
    page, _ = login_clients(user)
    assert "data-reuse" in page.get(resource.get_absolute_url()).content.decode()
    page.post(reverse("quality:teachingresource_reuse", args=[resource.pk]))
    assert ResourceUse.objects.get().kind == ResourceUseKind.REUSE
    response = page.post(reverse("quality:teachingresource_reuse", args=[resource.pk]), follow=True)
    assert "已把该资源引用到课程" in response.content.decode()
    assert ResourceUse.objects.count() == 1
    officer, _ = login_clients(user_with_role(Role.GOV_OFFICER))
    body = officer.get(resource.get_absolute_url()).content.decode()
    assert "data-unpublish-reason" in body
    url = reverse("quality:teachingresource_unpublish", args=[resource.pk])
    response = officer.post(url, {"reason": ""}, follow=True)
    assert "撤回其他单位的资源须填写原因" in response.content.decode()
    officer.post(url, {"reason": "内容待核实"})
    resource.refresh_from_db()
    assert not resource.published


def test_usage_page_for_a_school_and_for_officers_with_export():
    school = SchoolFactory(code="4143000101", name="郴州市第一职业中专")
    resource = TeachingResourceFactory(owner_school=school)
    user_school = SchoolFactory(name="资兴市职业中专")
    ResourceUseFactory.create_batch(2, resource=resource, user__school=user_school, school=user_school)
    ResourceUseFactory(
        resource=resource, kind=ResourceUseKind.REUSE, user__school=user_school, school=user_school
    )
    page, _ = login_clients(user_with_role(Role.SCHOOL_ADMIN, school=school))
    body = page.get(reverse("quality:resource_usage")).content.decode()
    assert "下载 2 次，引用到课程 1 次" in body and "资兴市职业中专" in body
    officer, _ = login_clients(user_with_role(Role.GOV_OFFICER))
    body = officer.get(reverse("quality:resource_usage")).content.decode()
    assert 'data-school="4143000101"' in body and "data-city" in body
    response = officer.get(reverse("quality:resource_usage") + "?export=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("学校代码,学校名称,资源数")
    assert any(line.startswith("4143000101,郴州市第一职业中专,1,1,2,1,0,0") for line in lines)
    student, _ = login_clients(user_with_role(Role.STUDENT))
    assert student.get(reverse("quality:resource_usage")).status_code == 403


def test_export_of_the_library_list_as_filtered():
    rated = TeachingResourceFactory(title='=HYPERLINK("x")')
    ResourceRatingFactory(resource=rated, stars=5)
    TeachingResourceFactory(majors=[major(OTHER_MAJOR)])
    page, _ = login_clients(user_with_role(Role.TEACHER))
    body = page.get(LIST + f"?major={MAJOR}&export=csv").content.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].split(",")[:6] == ["标题", "资源类型", "简介", "适用专业代码", "相关技能", "访问地址"]
    assert len(lines) == 2 and lines[1].startswith("\"'=HYPERLINK") and ",5.0,1," in lines[1]


def test_import_of_link_resources_is_validated_and_idempotent(django_capture_on_commit_callbacks):
    teacher = user_with_role(Role.TEACHER)
    page, _ = login_clients(teacher)
    rows = [
        {
            "标题": "数控仿真实训平台",
            "资源类型": "虚拟仿真资源",
            "简介": "数控车削虚拟仿真",
            "适用专业代码": MAJOR,
            "相关技能": "PLC编程",
            "访问地址": "https://sim.example.invalid/cnc",
        },
        {
            "标题": "机电一体化在线课程",
            "资源类型": "课程",
            "简介": "",
            "适用专业代码": "660301",
            "相关技能": "",
            "访问地址": "https://mooc.example.invalid/jd",
        },
    ]
    bad = [*rows, {**rows[0], "标题": "坏行", "适用专业代码": "999999", "访问地址": ""}]
    import_url = reverse("quality:teachingresource_import")
    with django_capture_on_commit_callbacks(execute=True):
        page.post(import_url, {"file": csv_upload(bad)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.INVALID
    messages = " ".join(e["message"] for e in job.errors)
    assert "999999" in messages and "请填写访问地址" in messages
    with django_capture_on_commit_callbacks(execute=True):
        page.post(import_url, {"file": csv_upload(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.VALID, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/core/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    imported = TeachingResource.objects.get(title="数控仿真实训平台")
    assert imported.owner_school == teacher.school and not imported.published and imported.author == teacher
    assert "plc" in imported.search_text.split()
    with django_capture_on_commit_callbacks(execute=True):
        page.post(import_url, {"file": csv_upload(rows, encoding="gb18030")})
    again = ImportJob.objects.latest("pk")
    assert again.summary == {"new": 0, "update": 0, "skip": 2}, again.errors
    officer, _ = login_clients(user_with_role(Role.GOV_OFFICER))
    assert officer.get(import_url).status_code == 403
