"""Base test classes: give a model its page, API, import/export and audit tests from a few attributes
(NetBox ``utilities/testing`` style). Only tests import this module (it needs pytest).

    class TestSchool(ModelTests):
        views = SchoolViews
        api_url = "/api/v1/orgs/schools/"
        factory = SchoolFactory
        form_data = lambda self: {...}        # a valid create form
        api_data = lambda self: {...}         # a valid API create payload
        update_data = {"name": "新名称"}        # fields an edit changes (page and API)
        import_rows = lambda self: [{...}]    # valid import rows (Chinese headers)
"""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from rest_framework.test import APIClient

from .models import AuditLog, ImportJob


def audit_count(model, pk=None) -> int:
    qs = AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(model))
    if pk is not None:
        qs = qs.filter(object_id=str(pk))
    return qs.count()


def login_clients(user) -> tuple[Client, APIClient]:
    """A page client and an API client, both logged in as ``user``."""
    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    return page, api


def check_access(user, config, api_base: str, may, own, other, label: str = "") -> None:
    """Every page and API answer of one model for one user, against the expected rights.

    ``may(action, is_own)`` says whether the user may take ``action`` on a row of its own organization
    (``is_own``) or another's; list-level answers (list, export, add, import) use ``may(action, True)``.
    ``own`` and ``other`` are rows (either may be ``None``). Refused API writes must leave the row as it was,
    and a row out of view must answer like a row that does not exist."""
    page, api = login_clients(user)
    can_list = may("view", True)
    assert page.get(config.url_for("list")).status_code == (200 if can_list else 403), label
    assert api.get(api_base).status_code == (200 if can_list else 403), label
    export = page.get(config.url_for("list") + "?export=csv").status_code
    assert export == (200 if may("export", True) else 403), label
    can_add = may("add", True)
    assert page.get(config.url_for("add")).status_code == (200 if can_add else 403), label
    assert api.post(api_base, {}, format="json").status_code == (400 if can_add else 403), label
    assert page.get(config.url_for("list") + "99999999/").status_code == 404, label
    if config.importable:
        can_import = may("import", True)
        assert page.get(config.url_for("import")).status_code == (200 if can_import else 403), label
        if not can_import:
            upload = csv_upload([{"编号": "X"}])
            assert page.post(config.url_for("import"), {"file": upload}).status_code == 403, label
            assert not ImportJob.objects.exists(), label

    for target, is_own in ((own, True), (other, False)):
        if target is None:
            continue
        visible = may("view", is_own)
        where = f"{label} {'own' if is_own else 'other'}"
        assert page.get(config.url_for("detail", target)).status_code == (200 if visible else 404), where
        expected_history = 200 if may("change", is_own) else (403 if visible else 404)
        assert page.get(config.url_for("history", target)).status_code == expected_history, where
        api_view = api.get(f"{api_base}{target.pk}/").status_code
        assert api_view == (200 if visible else (404 if can_list else 403)), where
        for action, url in (
            ("change", config.url_for("edit", target)),
            ("delete", config.url_for("delete", target)),
        ):
            expected = 200 if may(action, is_own) else (403 if visible else 404)
            assert page.get(url).status_code == expected, f"{where} {action}"
        if not may("delete", is_own):
            status = api.delete(f"{api_base}{target.pk}/").status_code
            assert status in ((403,) if visible else (403, 404)), f"{where} api delete"
            assert type(target).objects.filter(pk=target.pk).exists(), f"{where} api delete"
        if not may("change", is_own):
            status = api.patch(f"{api_base}{target.pk}/", {}, format="json").status_code
            assert status in ((403,) if visible else (403, 404)), f"{where} api patch"
        if not visible and can_list:  # indistinguishable from a row that does not exist
            assert api.get(f"{api_base}99999999/").status_code == api_view, where


def csv_upload(rows: list[dict], name: str = "data.csv", encoding: str = "utf-8"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buf.getvalue().encode(encoding), content_type="text/csv")


@pytest.mark.django_db
class ModelTests:
    views = None  # the ModelViews config
    api_url = ""
    factory = None
    update_data: dict = {}
    list_rows = 3

    # --- to provide --------------------------------------------------------------------------------
    def form_data(self) -> dict:
        pytest.fail(f"{type(self).__name__} must define form_data()")

    def api_data(self) -> dict:
        pytest.fail(f"{type(self).__name__} must define api_data()")

    # --- helpers -----------------------------------------------------------------------------------
    @pytest.fixture
    def admin(self, django_user_model):
        return django_user_model.objects.create_superuser(
            "root", "root@example.invalid", "a-Long-pass-2026", role="platform_admin"
        )

    @pytest.fixture
    def client_admin(self, admin):
        client = Client()
        client.force_login(admin)
        return client

    @pytest.fixture
    def api_admin(self, admin):
        client = APIClient()
        client.force_authenticate(admin)
        return client

    @property
    def model(self):
        return self.views.model

    # --- pages -------------------------------------------------------------------------------------
    def test_list_page_and_query_count(self, client_admin, django_assert_max_num_queries):
        self.factory.create_batch(self.list_rows)
        url = self.views.url_for("list")
        response = client_admin.get(url)
        assert response.status_code == 200
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client_admin.get(url)
        self.factory.create_batch(self.list_rows * 4)
        with CaptureQueriesContext(connection) as many:
            client_admin.get(url)
        assert len(many) == len(few), "the list page runs a query per row"

    def test_detail_page(self, client_admin):
        obj = self.factory()
        response = client_admin.get(self.views.url_for("detail", obj))
        assert response.status_code == 200
        assert str(obj) in response.content.decode()

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(self.views.url_for("list"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_create_page_writes_one_audit_record(self, client_admin, django_capture_on_commit_callbacks):
        before = self.model.objects.count()
        response = client_admin.post(self.views.url_for("add"), self.form_data())
        assert response.status_code == 302, response.content.decode()[:3000]
        assert self.model.objects.count() == before + 1
        obj = self.model.objects.order_by("-pk").first()
        assert audit_count(self.model, obj.pk) == 1
        entry = AuditLog.objects.get(object_id=str(obj.pk), content_type__model=self.model._meta.model_name)
        assert entry.action == "create" and entry.actor.username == "root"

    def test_edit_page_records_before_and_after(self, client_admin):
        obj = self.factory()
        data = self.form_data() | self.update_data
        for key in self.unique_form_keys():
            data[key] = self._form_value(obj, key)
        response = client_admin.post(self.views.url_for("edit", obj), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        entry = AuditLog.objects.get(
            object_id=str(obj.pk), action="update", content_type__model=self.model._meta.model_name
        )
        field = next(iter(self.update_data))
        assert field in entry.changes or f"{field}_id" in entry.changes
        assert entry.changes.get(field, entry.changes.get(f"{field}_id"))[1] is not None

    def unique_form_keys(self) -> list[str]:
        """Form fields that identify the object (kept as they are when editing)."""
        return [
            f.name
            for f in self.model._meta.fields
            if f.unique and f.name != "id" and f.name in self.form_data() and f.name not in self.update_data
        ]

    def _form_value(self, obj, name):
        value = getattr(obj, name)
        return value.pk if hasattr(value, "pk") else value

    def test_delete_page_writes_one_audit_record(self, client_admin):
        obj = self.factory()
        response = client_admin.post(self.views.url_for("delete", obj))
        assert response.status_code == 302
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert (
            AuditLog.objects.filter(
                object_id=str(obj.pk), action="delete", content_type__model=self.model._meta.model_name
            ).count()
            == 1
        )

    def test_create_page_refuses_bad_input_in_chinese(self, client_admin):
        before = self.model.objects.count()
        response = client_admin.post(self.views.url_for("add"), {})
        assert response.status_code == 400
        assert "该字段是必填项" in response.content.decode()
        assert self.model.objects.count() == before

    # --- export / import ---------------------------------------------------------------------------
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_export(self, client_admin, fmt):
        self.factory.create_batch(2)
        response = client_admin.get(self.views.url_for("list") + f"?export={fmt}")
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        if fmt == "csv":
            body = response.content.decode("utf-8-sig")
            from .imports import resource_for

            assert body.splitlines()[0].split(",")[0] == resource_for(self.model)().headers()[0]
            assert len(body.strip().splitlines()) == self.model.objects.count() + 1

    # --- API -----------------------------------------------------------------------------------------
    def test_api_list_count_and_query_count(self, api_admin):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.factory.create_batch(self.list_rows)
        with CaptureQueriesContext(connection) as few:
            response = api_admin.get(self.api_url)
        assert response.status_code == 200
        assert response.data["count"] == self.model.objects.count()
        self.factory.create_batch(self.list_rows * 4)
        with CaptureQueriesContext(connection) as many:
            response = api_admin.get(self.api_url)
        assert response.data["count"] == self.model.objects.count()
        assert len(many) == len(few), "the API list runs a query per row"

    def test_api_create_update_delete_audited(self, api_admin):
        response = api_admin.post(self.api_url, self.api_data(), format="json")
        assert response.status_code == 201, response.data
        pk = response.data["id"]
        response = api_admin.patch(f"{self.api_url}{pk}/", self.update_data_api(), format="json")
        assert response.status_code == 200, response.data
        response = api_admin.delete(f"{self.api_url}{pk}/")
        assert response.status_code == 204
        actions = list(
            AuditLog.objects.filter(object_id=str(pk), content_type__model=self.model._meta.model_name)
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["create", "update", "delete"]

    def update_data_api(self) -> dict:
        return self.update_data

    def test_api_refuses_anonymous(self):
        response = APIClient().get(self.api_url)
        assert response.status_code in (401, 403)

    def test_api_bad_input_names_the_field(self, api_admin):
        before = self.model.objects.count()
        response = api_admin.post(self.api_url, {}, format="json")
        assert response.status_code == 400
        assert any(name in response.data for name in self.api_data())
        assert self.model.objects.count() == before


class ImportTests:
    """Import tests for a ModelTests subclass whose model has an import format."""

    def import_rows(self) -> list[dict]:
        pytest.fail(f"{type(self).__name__} must define import_rows()")

    def test_import_validates_then_commits_and_is_idempotent(
        self, client_admin, admin, django_capture_on_commit_callbacks
    ):
        rows = self.import_rows()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        assert response.status_code == 302
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.VALID, job.errors
        assert job.summary["new"] == len(rows)
        before = self.model.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(f"/core/imports/{job.pk}/confirm/")
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE, job.errors
        assert self.model.objects.count() == before + len(rows)
        # one record per imported row (on each object's history) and one for the file
        row_verb = f"{self.model._meta.model_name}_import"
        assert AuditLog.objects.filter(action="import", verb=row_verb).count() == len(rows)
        assert AuditLog.objects.filter(action="import", verb="import_job_commit").count() == 1
        # The same file again: validated, nothing new, nothing changed.
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows, encoding="gb18030")})
        again = ImportJob.objects.latest("pk")
        assert again.status == ImportJob.Status.VALID, again.errors
        assert again.summary == {"new": 0, "update": 0, "skip": len(rows)}

    def test_import_reports_bad_rows_and_saves_nothing(
        self, client_admin, django_capture_on_commit_callbacks
    ):
        rows = self.import_rows()
        bad = dict(rows[0])
        first_header = next(iter(bad))
        rows = [*rows, bad]  # a duplicate natural key
        before = self.model.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            client_admin.post(self.views.url_for("import"), {"file": csv_upload(rows)})
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.INVALID
        assert any(e["row"] == len(rows) + 1 and "重复" in e["message"] for e in job.errors), job.errors
        assert first_header in " ".join(e["column"] for e in job.errors)
        assert self.model.objects.count() == before
