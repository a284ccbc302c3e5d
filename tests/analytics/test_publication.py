"""公开数据 (issue 5, public part): officers publish and withdraw de-identified tables; anyone reads the
published ones, pages and API, with the same suppression of small counts as researchers get."""

import csv
import io
from urllib.parse import unquote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from xiaoqitong.analytics import services
from xiaoqitong.analytics.models import Publication
from xiaoqitong.core.models import AuditLog

from .factories import small_city, users_by_role

pytestmark = [pytest.mark.usefixtures("reference_data"), pytest.mark.django_db]

YEAR = services.current_year()
API = "/api/v1/analytics/public/"


@pytest.fixture
def city():
    """数控技术应用: 40 graduates against 5 places; 纳税事务: 3 graduates with 3 outcomes (cells under 5)."""
    return small_city(YEAR)


@pytest.fixture
def users(city):
    return users_by_role(city["school"])


OFFICERS = {"gov", "admin"}


def page(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


# --- services --------------------------------------------------------------------------------------------
def test_publish_and_withdraw_per_role(users):
    for name, user in users.items():
        if name in OFFICERS:
            continue
        with pytest.raises(PermissionDenied):
            services.publication_create(actor=user, year=YEAR, dimension="major")
    assert not Publication.objects.exists()
    for name in sorted(OFFICERS):
        publication = services.publication_create(
            actor=users[name], year=YEAR, dimension="major", note="  口径：当年学年  "
        )
        assert (publication.year, publication.dimension, publication.note) == (
            YEAR,
            "major",
            "口径：当年学年",
        )
        assert publication.published_by == users[name] and publication.published_at is not None
        for other, user in users.items():
            if other not in OFFICERS:
                with pytest.raises(PermissionDenied):
                    services.publication_delete(actor=user, publication=publication)
        assert Publication.objects.filter(pk=publication.pk).exists()
        services.publication_delete(actor=users[name], publication=publication)
        assert not Publication.objects.exists()


def test_publish_refusals(users):
    gov = users["gov"]
    for dimension in ("school", "alignment", "", "nonsense"):
        with pytest.raises(ValidationError) as exc:
            services.publication_create(actor=gov, year=YEAR, dimension=dimension)
        assert "dimension" in exc.value.message_dict, dimension
    for year in (YEAR + 1, 1999):
        with pytest.raises(ValidationError) as exc:
            services.publication_create(actor=gov, year=year, dimension="major")
        assert "year" in exc.value.message_dict, year
    with pytest.raises(ValidationError) as exc:  # no majors, positions or outcomes that year
        services.publication_create(actor=gov, year=2005, dimension="major")
    assert "没有可公开的数据" in " ".join(exc.value.messages)
    services.publication_create(actor=gov, year=YEAR, dimension="chain")
    with pytest.raises(ValidationError):
        services.publication_create(actor=gov, year=YEAR, dimension="chain")
    assert Publication.objects.count() == 1


def test_publish_and_withdraw_are_audited(users):
    gov = users["gov"]
    publication = services.publication_create(actor=gov, year=YEAR, dimension="major_class", note="试行")
    pk = str(publication.pk)
    created = AuditLog.objects.get(verb="publication_create")
    assert (created.actor, created.action, created.object_id) == (gov, "create", pk)
    assert created.changes["dimension"] == [None, "major_class"] and created.changes["year"] == [None, YEAR]
    services.publication_delete(actor=gov, publication=publication)
    deleted = AuditLog.objects.get(verb="publication_delete")
    assert (deleted.actor, deleted.action, deleted.object_id) == (gov, "delete", pk)
    assert deleted.changes["dimension"] == ["major_class", None]
    assert str(YEAR) in deleted.object_repr
    # refusals write nothing
    with pytest.raises(PermissionDenied):
        services.publication_create(actor=users["researcher"], year=YEAR, dimension="major")
    assert AuditLog.objects.filter(verb__startswith="publication_").count() == 2


def test_policy_lets_officers_read_the_rows(users):
    services.publication_create(actor=users["gov"], year=YEAR, dimension="major")
    assert Publication.objects.restrict(users["gov"], "view").count() == 1
    assert Publication.objects.restrict(users["admin"], "view").count() == 1
    for name in ("researcher", "school_admin", "hr", "student"):
        assert not Publication.objects.restrict(users[name], "view").exists(), name
        assert not Publication.objects.restrict(users[name], "delete").exists(), name


# --- the button on 研究数据 ------------------------------------------------------------------------------
def test_officers_publish_from_the_aggregates_page(users):
    url = f"/analytics/aggregates/?dimension=major&year={YEAR}"
    body = page(users["researcher"]).get(url).content.decode()
    assert "data-publish-form" not in body and "data-export" in body
    gov = page(users["gov"])
    body = gov.get(url).content.decode()
    assert "data-publish-form" in body and "data-publish" in body and "data-withdraw" not in body
    response = gov.post(
        "/analytics/aggregates/publish/",
        {"year": YEAR, "dimension": "major", "action": "publish"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/analytics/aggregates/?year={YEAR}&dimension=major"
    body = response.content.decode()
    assert "已公开" in body and "data-withdraw" in body and f"/public/data/{YEAR}/major/" in body
    assert Publication.objects.filter(year=YEAR, dimension="major", published_by=users["gov"]).exists()
    # publishing twice or a school table: a message, nothing else
    again = gov.post(
        "/analytics/aggregates/publish/",
        {"year": YEAR, "dimension": "major", "action": "publish"},
        follow=True,
    )
    assert "已经公开" in again.content.decode()
    school = gov.post(
        "/analytics/aggregates/publish/",
        {"year": YEAR, "dimension": "school", "action": "publish"},
        follow=True,
    )
    assert "不能按该维度公开数据" in school.content.decode()
    assert Publication.objects.count() == 1
    response = gov.post(
        "/analytics/aggregates/publish/",
        {"year": YEAR, "dimension": "major", "action": "withdraw"},
        follow=True,
    )
    assert "已撤回" in response.content.decode()
    assert not Publication.objects.exists()


def test_publish_endpoint_refuses_others_gets_and_missing_csrf(users):
    data = {"year": YEAR, "dimension": "major", "action": "publish"}
    for name in ("researcher", "school_admin", "hr", "student"):
        assert page(users[name]).post("/analytics/aggregates/publish/", data).status_code == 403, name
    anonymous = page().post("/analytics/aggregates/publish/", data)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert page(users["gov"]).get("/analytics/aggregates/publish/").status_code == 405
    assert (
        page(users["gov"], enforce_csrf_checks=True).post("/analytics/aggregates/publish/", data).status_code
        == 403
    )
    assert not Publication.objects.exists()


# --- public pages ----------------------------------------------------------------------------------------
def test_anonymous_sees_only_published_tables(users):
    anonymous = page()
    index = anonymous.get("/public/data/")
    assert index.status_code == 200 and "还没有公开的数据" in index.content.decode()
    for dimension in ("major", "chain", "school", "nonsense"):
        assert anonymous.get(f"/public/data/{YEAR}/{dimension}/").status_code == 404, dimension
    services.publication_create(actor=users["gov"], year=YEAR, dimension="major", note="按专业口径")
    body = anonymous.get("/public/data/").content.decode()
    assert f'data-publication="{YEAR}-major"' in body and f"/public/data/{YEAR}/major/" in body
    assert f"{YEAR}-chain" not in body and "按专业口径" in body
    assert anonymous.get(f"/public/data/{YEAR}/major/").status_code == 200
    assert anonymous.get(f"/public/data/{YEAR}/chain/").status_code == 404
    assert anonymous.get(f"/public/data/{YEAR - 1}/major/").status_code == 404
    # the researchers' page stays behind the login
    assert anonymous.get("/analytics/aggregates/").status_code == 302


def test_public_table_suppresses_small_cells(users):
    services.publication_create(actor=users["gov"], year=YEAR, dimension="major")
    body = page().get(f"/public/data/{YEAR}/major/").content.decode()
    assert "少于 5" in body and "&lt;5" in body and "data-suppressed" in body
    assert "数控技术应用" in body and "纳税事务" in body
    row = body[body.index("纳税事务") :].split("</tr>")[0]
    assert row.count("data-suppressed") >= 4  # graduates, outcomes, employed and their rates
    assert f"/api/v1/analytics/public/{YEAR}/major/" in body
    assert "data-publish-form" not in body  # the public never sees the officers' controls


def test_public_exports(users):
    services.publication_create(actor=users["gov"], year=YEAR, dimension="major")
    anonymous = page()
    response = anonymous.get(f"/public/data/{YEAR}/major/?export=xlsx")
    assert response.status_code == 200 and "公开数据" in unquote(response["Content-Disposition"])
    values = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    rows = {r[0]: dict(zip(values[0], r, strict=True)) for r in values[1:]}
    assert rows["730101"]["预计毕业生"] == "<5" and rows["730101"]["就业率（%）"] == "<5"
    assert rows["730101"]["在校生"] == 9
    assert rows["660103"]["预计毕业生"] == 40 and rows["660103"]["需求名额"] == 5
    response = anonymous.get(f"/public/data/{YEAR}/major/?export=csv")
    reader = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    tax = next(r for r in reader if r["代码"] == "730101")
    assert tax["预计毕业生"] == "<5" and tax["在校生"] == "9"
    assert anonymous.get(f"/public/data/{YEAR}/chain/?export=csv").status_code == 404


# --- public API ------------------------------------------------------------------------------------------
def test_public_api_is_anonymous_and_published_only(users):
    anonymous = APIClient()
    assert anonymous.get(API).json() == {"results": []}
    assert anonymous.get(f"{API}{YEAR}/major/").status_code == 404
    services.publication_create(actor=users["gov"], year=YEAR, dimension="major", note="试行")
    listed = anonymous.get(API)
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert (row["year"], row["dimension"], row["note"]) == (YEAR, "major", "试行")
    assert row["url"] == f"{API}{YEAR}/major/" and row["dimension_display"] == "专业"
    response = anonymous.get(f"{API}{YEAR}/major/")
    assert response.status_code == 200
    data = response.json()
    assert (data["year"], data["dimension"], data["suppress_below"]) == (YEAR, "major", 5)
    rows = {r["code"]: r for r in data["results"]}
    tax = rows["730101"]
    assert tax["graduates"] is None and tax["outcomes"] is None and tax["employment_rate"] is None
    assert tax["enrolled"] == 9
    assert (rows["660103"]["graduates"], rows["660103"]["headcount"]) == (40, 5)
    assert "key" not in rows["660103"]
    for path in (f"{YEAR}/chain/", f"{YEAR}/school/", f"{YEAR - 1}/major/"):
        assert anonymous.get(f"{API}{path}").status_code == 404, path
    assert anonymous.post(API, {}).status_code in (403, 405)
    # AllowAny is for the public tables only
    assert anonymous.get(f"/api/v1/analytics/aggregates/?dimension=major&year={YEAR}").status_code == 401
    # a withdrawn table is gone
    services.publication_delete(actor=users["gov"], publication=Publication.objects.get())
    assert anonymous.get(f"{API}{YEAR}/major/").status_code == 404
    assert anonymous.get(API).json() == {"results": []}


def test_public_api_follows_the_threshold(users):
    services.publication_create(actor=users["gov"], year=YEAR, dimension="major")
    services.threshold_set(actor=users["gov"], key="suppress_below", value=50)
    data = APIClient().get(f"{API}{YEAR}/major/").json()
    assert data["suppress_below"] == 50
    assert {r["code"]: r for r in data["results"]}["660103"]["graduates"] is None
