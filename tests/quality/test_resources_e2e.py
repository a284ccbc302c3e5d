"""End to end with the test client (issue 7, “Done when”): a teacher of school A publishes a teaching
resource tagged with a major (add page with its file, then “发布”); a teacher of school B finds it in the
library by that major, downloads it and rates it; school A's “资源使用统计” shows the use by school B."""

import pytest
from django.urls import reverse

from xiaoqitong.core.testing import login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.models import TeachingResource

from ..orgs.factories import SchoolFactory, user_with_role
from .factories_resources import (
    MAJOR,
    PDF,
    TeachingResourceFactory,
    major,
    media_root,  # noqa: F401  (autouse: a temporary MEDIA_ROOT)
    upload,
)

pytestmark = pytest.mark.django_db


def test_a_teacher_publishes_another_schools_teacher_finds_it_by_major_and_rates_it():
    school_a = SchoolFactory(name="郴州市第一职业中专")
    school_b = SchoolFactory(name="资兴市职业中专")
    TeachingResourceFactory(title="计算机网络基础课程", majors=[major("510201")])  # not of that major
    teacher_a, _ = login_clients(user_with_role(Role.TEACHER, school=school_a))
    teacher_b, _ = login_clients(user_with_role(Role.TEACHER, school=school_b))

    response = teacher_a.post(
        reverse("quality:teachingresource_add"),
        {
            "title": "数控车床编程活页式教材",
            "kind": "loose_leaf",
            "summary": "按工作任务编排的数控车削教材",
            "major_codes": MAJOR,
            "skill_names": "机械制图",
            "link": "",
            "file": upload("数控车床编程.pdf", PDF),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    resource = TeachingResource.objects.get(title="数控车床编程活页式教材")
    page = teacher_a.get(resource.get_absolute_url()).content.decode()
    assert "data-publish" in page

    # A draft is school A's only.
    assert (
        "数控车床编程活页式教材"
        not in teacher_b.get(reverse("quality:teachingresource_list")).content.decode()
    )
    response = teacher_a.post(reverse("quality:teachingresource_publish", args=[resource.pk]), follow=True)
    assert "已发布" in response.content.decode()

    found = teacher_b.get(
        reverse("quality:teachingresource_list") + f"?major={MAJOR}&sort=rating"
    ).content.decode()
    assert "数控车床编程活页式教材" in found and "计算机网络基础课程" not in found
    detail = teacher_b.get(resource.get_absolute_url()).content.decode()
    assert "data-download" in detail and "data-rating-form" in detail and "data-reuse" in detail
    download = teacher_b.get(reverse("quality:teachingresource_download", args=[resource.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    teacher_b.post(reverse("quality:teachingresource_reuse", args=[resource.pk]))
    response = teacher_b.post(
        reverse("quality:teachingresource_rate", args=[resource.pk]),
        {"stars": "5", "comment": "任务设计贴近岗位"},
        follow=True,
    )
    body = response.content.decode()
    assert "已保存您的评价" in body and "任务设计贴近岗位" in body and "★ 5.0（1）" in body

    usage = teacher_a.get(reverse("quality:resource_usage")).content.decode()
    assert "下载 1 次，引用到课程 1 次" in usage  # used by others
    assert "资兴市职业中专" in usage
    own_usage = teacher_b.get(reverse("quality:resource_usage")).content.decode()
    assert "data-own-uses" in own_usage
    officer, _ = login_clients(user_with_role(Role.GOV_OFFICER))
    city = officer.get(reverse("quality:resource_usage")).content.decode()
    assert school_a.name in city and school_b.name in city
