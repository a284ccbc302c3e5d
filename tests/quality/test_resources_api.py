"""The library's API: multipart create with the upload check, the owner from the caller, the filters,
publish / unpublish actions, the download action, ratings POST (refusals and re-rating), uses POST, the
usage figures."""

import pytest
from django.core.files.storage import default_storage

from xiaoqitong.core.testing import login_clients
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.models import ResourceRating, ResourceUse, TeachingResource

from ..orgs.factories import user_with_role
from .factories_resources import (
    EXE,
    MAJOR,
    PDF,
    ResourceUseFactory,
    TeachingResourceFactory,
    media_root,  # noqa: F401  (autouse: a temporary MEDIA_ROOT)
    office_bytes,
    upload,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/quality/"
RESOURCES = f"{BASE}teaching-resources/"


def test_multipart_create_checks_the_file_and_sets_the_owner():
    teacher = user_with_role(Role.TEACHER)
    _, api = login_clients(teacher)
    data = {
        "title": "数控加工课件",
        "kind": "course",
        "majors": [MAJOR, "660301"],
        "skills": ["PLC编程", "机械制图"],
    }
    response = api.post(
        RESOURCES, data | {"file": upload("课件.docm", office_bytes(macro=True))}, format="multipart"
    )
    assert response.status_code == 400 and "含宏" in response.data["file"][0]
    response = api.post(RESOURCES, data | {"file": upload("课件.pdf", EXE)}, format="multipart")
    assert response.status_code == 400 and "可执行程序" in response.data["file"][0]
    response = api.post(RESOURCES, data | {"file": upload("课件.pdf", PDF)}, format="multipart")
    assert response.status_code == 201, response.data
    body = response.data
    assert body["owner_school"] == teacher.school.code and body["published"] is False
    assert sorted(body["majors"]) == ["660103", "660301"]
    assert sorted(body["skills"]) == sorted(["PLC编程", "机械制图"])
    assert body["file_size"] == len(PDF) and body["download_url"].endswith(f"{body['id']}/download/")
    assert default_storage.exists(TeachingResource.objects.get().file.name)
    response = api.post(
        RESOURCES, {"title": "x", "kind": "course", "majors": ["999999"], "link": "https://a.invalid"}
    )
    assert response.status_code == 400 and "999999" in str(response.data["majors"])


def test_publish_unpublish_and_download_actions():
    teacher = user_with_role(Role.TEACHER)
    _, api = login_clients(teacher)
    created = api.post(
        RESOURCES,
        {"title": "教案", "kind": "course", "majors": MAJOR, "file": upload("a.pdf", PDF)},
        format="multipart",
    ).data
    url = f"{RESOURCES}{created['id']}/"
    other = user_with_role(Role.TEACHER)
    _, other_api = login_clients(other)
    assert other_api.get(url).status_code == 404  # a draft
    assert other_api.post(f"{url}publish/").status_code == 404
    response = api.post(f"{url}publish/")
    assert response.status_code == 200 and response.data["published"] is True
    response = api.post(f"{url}publish/")
    assert response.status_code == 400 and "已经发布" in response.data["non_field_errors"][0]
    response = other_api.get(f"{url}download/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert ResourceUse.objects.get().school == other.school
    assert other_api.get(url).data["download_count"] == 1
    response = other_api.post(f"{url}unpublish/")
    assert response.status_code == 403 and "只有发布单位的用户或政府部门" in response.data["detail"]
    _, officer = login_clients(user_with_role(Role.GOV_OFFICER))
    response = officer.post(f"{url}unpublish/", {}, format="json")
    assert response.status_code == 400 and "须填写原因" in response.data["reason"][0]
    response = officer.post(f"{url}unpublish/", {"reason": "版权待核实"}, format="json")
    assert response.status_code == 200 and response.data["published"] is False


def test_filters_by_major_and_skill():
    cnc = TeachingResourceFactory()
    TeachingResourceFactory(majors=[])
    _, api = login_clients(user_with_role(Role.ENTERPRISE_HR))
    response = api.get(RESOURCES + f"?major={MAJOR}")
    assert [row["id"] for row in response.data["results"]] == [cnc.pk]
    assert api.get(RESOURCES + "?skill=PLC").data["count"] == 0


def test_ratings_post_refusals_and_re_rating():
    resource = TeachingResourceFactory()
    url = f"{BASE}resource-ratings/"
    rater = user_with_role(Role.TEACHER)
    _, api = login_clients(rater)
    assert (
        api.post(url, {"resource": resource.pk, "stars": 4, "comment": "好"}, format="json").status_code
        == 201
    )
    response = api.post(url, {"resource": resource.pk, "stars": 2}, format="json")
    assert response.status_code == 201 and response.data["stars"] == 2
    assert ResourceRating.objects.get().stars == 2
    assert api.post(url, {"resource": resource.pk, "stars": 9}, format="json").status_code == 400
    _, owner = login_clients(user_with_role(Role.TEACHER, school=resource.owner_school))
    response = owner.post(url, {"resource": resource.pk, "stars": 5}, format="json")
    assert response.status_code == 400 and "不能评价本单位" in response.data["non_field_errors"][0]
    _, officer = login_clients(user_with_role(Role.GOV_OFFICER))
    response = officer.post(url, {"resource": resource.pk, "stars": 5}, format="json")
    assert response.status_code == 403 and "只有学校和企业" in response.data["detail"]
    draft = TeachingResourceFactory(published=False)
    assert api.post(url, {"resource": draft.pk, "stars": 5}, format="json").status_code == 400  # unseen
    assert officer.get(url + f"?resource={resource.pk}").data["count"] == 1


def test_uses_post_and_list_scope_and_usage():
    resource = TeachingResourceFactory()
    user = user_with_role(Role.TEACHER)
    _, api = login_clients(user)
    url = f"{BASE}resource-uses/"
    response = api.post(url, {"resource": resource.pk, "kind": "reuse"}, format="json")
    assert response.status_code == 201 and response.data["kind"] == "reuse"
    assert api.post(url, {"resource": resource.pk, "kind": "reuse"}, format="json").status_code == 400
    assert api.post(url, {"resource": resource.pk, "kind": "download"}, format="json").status_code == 400
    ResourceUseFactory()  # another school's use of another school's resource
    assert api.get(url).data["count"] == 1
    _, owner = login_clients(user_with_role(Role.SCHOOL_ADMIN, school=resource.owner_school))
    assert owner.get(url).data["count"] == 1
    usage = owner.get(f"{BASE}resource-usage/").data
    assert usage["school"]["reuses_by_others"] == 1 and usage["users"][0]["code"] == user.school.code
    _, officer = login_clients(user_with_role(Role.GOV_OFFICER))
    assert officer.get(url).data["count"] == 2
    usage = officer.get(f"{BASE}resource-usage/").data
    assert usage["city"]["reuses"] == 1 and len(usage["schools"]) >= 3
    _, student = login_clients(user_with_role(Role.STUDENT))
    assert student.get(f"{BASE}resource-usage/").status_code == 403
