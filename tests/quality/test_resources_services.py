"""The resource library's services: the upload check (size, type, content), who publishes for which
organization, the draft → published rules, who edits, deletes and unpublishes, ratings (refusals, one per
user, rating again changes it), uses (counted for the user's school, never for one's own organization's
resource) and the search text."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.choices import ResourceKind, ResourceUseKind
from xiaoqitong.quality.models import ResourceRating, ResourceUse, TeachingResource
from xiaoqitong.quality.services import resources as services

from ..orgs.factories import user_with_role
from .factories_resources import (
    EXE,
    MAJOR,
    MP4,
    PDF,
    TeachingResourceFactory,
    major,
    media_root,  # noqa: F401  (autouse: a temporary MEDIA_ROOT)
    office_bytes,
    skill,
    upload,
)

pytestmark = pytest.mark.django_db


def create(actor, **data):
    base = {"title": "数控车床编程", "kind": ResourceKind.COURSE, "majors": [major()]}
    return services.resource_create(actor=actor, data=base | data)


def file_error(exc) -> str:
    return " ".join(exc.value.message_dict["file"])


# --- the upload check -----------------------------------------------------------------------------
def test_an_allowed_pdf_is_stored_through_the_storage_with_its_size(media_root):  # noqa: F811
    teacher = user_with_role(Role.TEACHER)
    resource = create(teacher, file=upload("数控编程教案.pdf", PDF))
    assert resource.file_size == len(PDF)
    assert resource.file.name.startswith("resources/") and resource.file.name.endswith(".pdf")
    assert default_storage.exists(resource.file.name)
    assert (media_root / resource.file.name).read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("setup.exe", EXE, "可执行程序"),
        ("教案.pdf", EXE, "可执行程序"),  # an executable renamed .pdf
        ("教案.docm", office_bytes("docx", macro=True), "含宏"),
        ("教案.docx", office_bytes("docx", macro=True), "含有宏"),  # a .docm renamed .docx
        ("报表.xlsm", office_bytes("xlsx"), "含宏"),
        ("教案.pdf", b"just some text, not a PDF", "不符"),
        ("课件.pptx", office_bytes("docx"), "不符"),  # a Word file named .pptx
        ("视频.mp4", PDF, "不符"),
        ("说明.txt", b"hello", "不支持的文件类型"),
        ("空.pdf", b"", "文件是空的"),
    ],
)
def test_uploads_refused_with_the_reason(name, content, words):
    teacher = user_with_role(Role.TEACHER)
    with pytest.raises(ValidationError) as exc:
        create(teacher, file=upload(name, content))
    assert words in file_error(exc) and name in file_error(exc)
    assert not TeachingResource.objects.exists()


def test_an_oversized_upload_names_the_size_and_the_cap(settings):
    settings.XQT_UPLOAD_MAX_MB = 20 / 1024 / 1024  # 20 bytes
    teacher = user_with_role(Role.TEACHER)
    with pytest.raises(ValidationError) as exc:
        create(teacher, file=upload("大文件.pdf", PDF))
    assert "超过 .pdf 文件的上限" in file_error(exc)


@pytest.mark.parametrize(
    ("name", "content"), [("课件.docx", office_bytes("docx")), ("表.xlsx", office_bytes("xlsx"))]
)
def test_clean_office_files_are_accepted(name, content):
    resource = create(user_with_role(Role.TEACHER), file=upload(name, content))
    assert resource.file_size == len(content)


def test_a_video_is_an_mp4_and_a_virtual_simulation_needs_its_link():
    teacher = user_with_role(Role.TEACHER)
    video = create(teacher, kind=ResourceKind.VIDEO, file=upload("实操.mp4", MP4))
    assert video.file.name.endswith(".mp4")
    with pytest.raises(ValidationError) as exc:
        create(teacher, kind=ResourceKind.VIDEO, file=upload("实操.pdf", PDF))
    assert "MP4" in file_error(exc)
    with pytest.raises(ValidationError) as exc:
        create(teacher, kind=ResourceKind.VIRTUAL, file=upload("仿真.pdf", PDF))
    assert "虚拟仿真资源须填写访问地址" in exc.value.message_dict["link"][0]


def test_neither_file_nor_link_is_refused():
    with pytest.raises(ValidationError) as exc:
        create(user_with_role(Role.TEACHER))
    assert "请上传文件或填写访问地址" in str(exc.value)


def test_a_new_file_replaces_the_stored_one_which_is_removed(django_capture_on_commit_callbacks):
    teacher = user_with_role(Role.TEACHER)
    resource = create(teacher, file=upload("旧.pdf", PDF))
    old = resource.file.name
    with django_capture_on_commit_callbacks(execute=True):
        resource = services.resource_update(
            actor=teacher, instance=resource, data={"file": upload("新.pdf", PDF + b"%new")}
        )
    assert resource.file.name != old and default_storage.exists(resource.file.name)
    assert not default_storage.exists(old)
    assert resource.file_size == len(PDF) + 4
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_delete(actor=teacher, instance=resource)
    assert not default_storage.exists(resource.file.name)


# --- owners and publishing ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role", [Role.SCHOOL_ADMIN, Role.TEACHER, Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR]
)
def test_staff_publish_for_their_own_organization_as_a_draft(role):
    user = user_with_role(role)
    resource = create(user, link="https://sim.example.invalid/cnc", published=True)
    assert resource.published is False and resource.author == user
    assert resource.owner_school_id == user.school_id and resource.owner_enterprise_id == user.enterprise_id
    entry = AuditLog.objects.get(object_id=str(resource.pk), verb="resource_create")
    assert entry.actor == user


@pytest.mark.parametrize("role", [Role.GOV_OFFICER, Role.STUDENT, Role.RESEARCHER])
def test_other_roles_do_not_publish(role):
    with pytest.raises(PermissionDenied) as exc:
        create(user_with_role(role), link="https://sim.example.invalid/cnc")
    assert "只有学校管理员、教师或企业人事、导师" in str(exc.value)


def test_publish_rules():
    teacher = user_with_role(Role.TEACHER)
    draft = create(teacher, link="https://sim.example.invalid/a", majors=[])
    with pytest.raises(ValidationError) as exc:
        services.resource_publish(actor=teacher, resource=draft)
    assert "请至少标注一个适用专业" in exc.value.messages[0]
    services.resource_update(actor=teacher, instance=draft, data={"majors": [major()]})
    other_school = user_with_role(Role.TEACHER)
    with pytest.raises(PermissionDenied):
        services.resource_publish(actor=other_school, resource=draft)
    colleague = user_with_role(Role.SCHOOL_ADMIN, school=teacher.school)
    published = services.resource_publish(actor=colleague, resource=draft)
    assert published.published
    assert AuditLog.objects.filter(verb="resource_publish", object_id=str(draft.pk)).count() == 1
    with pytest.raises(ValidationError) as exc:
        services.resource_publish(actor=teacher, resource=draft)
    assert "已经发布" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.resource_update(actor=teacher, instance=published, data={"majors": []})
    assert "已发布的资源须至少标注一个适用专业" in exc.value.message_dict["majors"][0]


def test_only_the_owner_organization_edits_and_deletes():
    resource = TeachingResourceFactory()
    for user in (
        user_with_role(Role.TEACHER),
        user_with_role(Role.GOV_OFFICER),
        user_with_role(Role.ENTERPRISE_HR),
    ):
        with pytest.raises(PermissionDenied):
            services.resource_update(actor=user, instance=resource, data={"title": "改名"})
        with pytest.raises(PermissionDenied):
            services.resource_delete(actor=user, instance=resource)
    owner = user_with_role(Role.TEACHER, school=resource.owner_school)
    services.resource_update(actor=owner, instance=resource, data={"title": "改名"})
    resource.refresh_from_db()
    assert resource.title == "改名"


def test_unpublish_by_the_owner_or_an_officer_with_a_reason():
    resource = TeachingResourceFactory()
    with pytest.raises(PermissionDenied):
        services.resource_unpublish(actor=user_with_role(Role.TEACHER), resource=resource)
    officer = user_with_role(Role.GOV_OFFICER)
    with pytest.raises(ValidationError) as exc:
        services.resource_unpublish(actor=officer, resource=resource)
    assert "须填写原因" in exc.value.message_dict["reason"][0]
    services.resource_unpublish(actor=officer, resource=resource, reason="内容侵权，待核实")
    resource.refresh_from_db()
    assert not resource.published
    entry = AuditLog.objects.get(verb="resource_unpublish")
    assert entry.changes["reason"][1] == "内容侵权，待核实"
    owner = user_with_role(Role.TEACHER, school=resource.owner_school)
    with pytest.raises(ValidationError) as exc:
        services.resource_unpublish(actor=owner, resource=resource)
    assert "尚未发布" in exc.value.messages[0]
    services.resource_publish(actor=owner, resource=resource)
    services.resource_unpublish(actor=owner, resource=resource)  # the owner needs no reason


# --- ratings --------------------------------------------------------------------------------------
def test_rating_refusals():
    resource = TeachingResourceFactory()
    owner = user_with_role(Role.TEACHER, school=resource.owner_school)
    with pytest.raises(ValidationError) as exc:
        services.resource_rate(actor=owner, resource=resource, stars=5)
    assert "不能评价本单位发布的资源" in exc.value.messages[0]
    with pytest.raises(PermissionDenied) as exc:
        services.resource_rate(actor=user_with_role(Role.GOV_OFFICER), resource=resource, stars=5)
    assert "只有学校和企业" in str(exc.value)
    rater = user_with_role(Role.TEACHER)
    for stars in (0, 6, "x"):
        with pytest.raises(ValidationError) as exc:
            services.resource_rate(actor=rater, resource=resource, stars=stars)
        assert "1 到 5 星" in exc.value.message_dict["stars"][0]
    draft = TeachingResourceFactory(published=False)
    with pytest.raises(PermissionDenied) as exc:
        services.resource_rate(actor=rater, resource=draft, stars=4)
    assert "未发布" in str(exc.value)
    assert not ResourceRating.objects.exists()


def test_rating_again_changes_the_one_rating():
    resource = TeachingResourceFactory()
    rater = user_with_role(Role.TEACHER)
    first = services.resource_rate(actor=rater, resource=resource, stars=3, comment="还行")
    second = services.resource_rate(actor=rater, resource=resource, stars=5, comment="  很实用  ")
    assert first.pk == second.pk and ResourceRating.objects.count() == 1
    second.refresh_from_db()
    assert (second.stars, second.comment, second.school) == (5, "很实用", rater.school)
    actions = list(
        AuditLog.objects.filter(verb="resource_rate").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["create", "update"]
    mentor = user_with_role(Role.ENTERPRISE_MENTOR)
    services.resource_rate(actor=mentor, resource=resource, stars=4)
    assert ResourceRating.objects.filter(resource=resource).count() == 2


# --- uses -----------------------------------------------------------------------------------------
def test_uses_are_counted_for_the_users_school_but_not_for_the_owner():
    resource = TeachingResourceFactory()
    user = user_with_role(Role.TEACHER)
    use = services.resource_use_record(actor=user, resource=resource, kind=ResourceUseKind.DOWNLOAD)
    assert use.school == user.school and use.kind == ResourceUseKind.DOWNLOAD
    owner = user_with_role(Role.TEACHER, school=resource.owner_school)
    assert services.resource_use_record(actor=owner, resource=resource, kind=ResourceUseKind.DOWNLOAD) is None
    with pytest.raises(ValidationError) as exc:
        services.resource_use_record(actor=owner, resource=resource, kind=ResourceUseKind.REUSE)
    assert "本单位的资源" in exc.value.messages[0]
    services.resource_use_record(actor=user, resource=resource, kind=ResourceUseKind.REUSE)
    with pytest.raises(ValidationError) as exc:
        services.resource_use_record(actor=user, resource=resource, kind=ResourceUseKind.REUSE)
    assert "已把该资源引用到课程" in exc.value.messages[0]
    hr = user_with_role(Role.ENTERPRISE_HR)
    assert (
        services.resource_use_record(actor=hr, resource=resource, kind=ResourceUseKind.DOWNLOAD).school
        is None
    )
    assert ResourceUse.objects.count() == 3


def test_drafts_cannot_be_used_by_others():
    draft = TeachingResourceFactory(published=False)
    with pytest.raises(PermissionDenied):
        services.resource_use_record(
            actor=user_with_role(Role.TEACHER), resource=draft, kind=ResourceUseKind.DOWNLOAD
        )
    with pytest.raises(ValidationError):
        services.resource_use_record(actor=user_with_role(Role.TEACHER), resource=draft, kind="print")


# --- search ---------------------------------------------------------------------------------------
def test_search_text_holds_title_summary_majors_and_skills():
    teacher = user_with_role(Role.TEACHER)
    resource = create(
        teacher,
        title="工作手册式数控教材",
        summary="车铣复合加工",
        link="https://res.example.invalid/x",
        skills=[skill()],
    )
    words = resource.search_text.split()
    assert {"数控", "数控技术应用", MAJOR, "plc", "可编程控制器"} <= set(words)
    services.resource_update(actor=teacher, instance=resource, data={"skills": [], "title": "焊接工艺手册"})
    resource.refresh_from_db()
    assert "焊接" in resource.search_text and "plc" not in resource.search_text.split()
