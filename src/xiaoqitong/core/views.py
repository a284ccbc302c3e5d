"""Generic pages for one model: list (filter, sort, search, export), detail, create, edit, delete,
import and history. Apps configure them declaratively with :class:`ModelViews` (DESIGN rule 1):

    class SchoolViews(ModelViews):
        model = School
        filterset = SchoolFilterSet
        table = SchoolTable
        form = SchoolForm

    urlpatterns = SchoolViews.urls("schools")

Every read goes through ``restrict(user, action)``; every write through a service.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from . import import_templates, services
from .forms import ImportForm
from .imports import export_response, resource_for
from .models import AuditLog, ImportJob
from .policy import can, ensure_in_scope, policy_for

PER_PAGE = 50


def _exportable(model) -> bool:
    try:
        resource_for(model)
    except LookupError:
        return False
    return True


class ObjectView(LoginRequiredMixin, View):
    config: type["ModelViews"]

    @property
    def model(self) -> type[models.Model]:
        return self.config.model

    def url(self, action: str, obj=None) -> str:
        return self.config.url_for(action, obj)

    def require(self, action: str) -> None:
        if not policy_for(self.model).allows(self.request.user, action):
            raise PermissionDenied(_("您没有权限执行此操作。"))

    def get_object(self, action: str = "view"):
        """The object if the user may take ``action`` on it. Outside the view scope: 404 (never reveal
        that another organization's record exists); visible but not allowed: 403."""
        visible = self.config.base_queryset().restrict(self.request.user, "view")
        obj = get_object_or_404(visible, pk=self.kwargs["pk"])
        if (
            action != "view"
            and not self.model.objects.restrict(self.request.user, action).filter(pk=obj.pk).exists()
        ):
            raise PermissionDenied(_("您没有权限执行此操作。"))
        return obj

    def context(self, **extra) -> dict:
        return {
            "model": self.model,
            "opts": self.model._meta,
            "config": self.config,
            "can_add": policy_for(self.model).allows(self.request.user, "add"),
            "can_import": self.config.importable
            and policy_for(self.model).allows(self.request.user, "import"),
            "can_export": _exportable(self.model)
            and policy_for(self.model).allows(self.request.user, "export"),
            **extra,
        }


class ObjectListView(ObjectView):
    """The list page of a model: filters, the table, exports. A page with more above its table sets
    ``template_name`` and returns that context from :meth:`list_context`."""

    template_name = "core/object_list.html"

    def list_context(self, request, visible) -> dict:
        """More context for the page: ``visible`` holds the rows the user may see, before the filters."""
        return {}

    def get(self, request):
        self.require("view")
        visible = self.config.base_queryset().restrict(request.user, "view")
        filterset = self.config.filterset(request.GET or None, queryset=visible, request=request)
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else visible
        fmt = request.GET.get("export")
        if fmt:
            self.require("export")
            export_qs = self.model.objects.filter(pk__in=qs.values("pk")).restrict(request.user, "export")
            try:
                resource = resource_for(self.model)()
            except LookupError:  # a list without an export format (its rows are exported with their parent)
                raise Http404(_("此列表不提供导出。")) from None
            return export_response(
                resource,
                self.config.export_queryset(export_qs),
                fmt,
                str(self.model._meta.verbose_name_plural),
                request.GET.get("encoding", "utf-8"),
            )
        table = self.config.table(qs, request=request)
        RequestConfig(request, paginate={"per_page": self.config.per_page}).configure(table)
        if request.htmx and request.htmx.target == "object-table":
            return render(request, "core/_object_table.html", self.context(table=table, filterset=filterset))
        extra = self.list_context(request, visible)
        return render(request, self.template_name, self.context(table=table, filterset=filterset, **extra))


class ObjectDetailView(ObjectView):
    def get(self, request, pk):
        obj = self.get_object()
        return render(
            request,
            self.config.detail_template,
            self.context(
                object=obj,
                fields=self.config.detail_fields(obj),
                can_change=can(request.user, "change", obj),
                can_delete=can(request.user, "delete", obj),
            ),
        )


class ObjectEditView(ObjectView):
    def get_instance(self):
        if "pk" in self.kwargs:
            return self.get_object("change")
        self.require("add")
        return None

    def get(self, request, pk=None):
        instance = self.get_instance()
        form = self.config.form(instance=instance, user=request.user)
        return render(request, "core/object_form.html", self.context(form=form, object=instance))

    def post(self, request, pk=None):
        instance = self.get_instance()
        form = self.config.form(request.POST, request.FILES, instance=instance, user=request.user)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
            try:
                with transaction.atomic():
                    if instance is None:
                        obj = self.config.create(actor=request.user, data=data)
                        ensure_in_scope(request.user, "add", obj)
                    else:
                        obj = self.config.update(actor=request.user, instance=instance, data=data)
                        ensure_in_scope(request.user, "change", obj)
                if instance is None:
                    messages.success(
                        request,
                        _("已新建%(what)s“%(obj)s”。") % {"what": self.model._meta.verbose_name, "obj": obj},
                    )
                else:
                    messages.success(request, _("已保存“%(obj)s”。") % {"obj": obj})
                return redirect(self.url("detail", obj))
            except ValidationError as exc:
                add_form_errors(form, exc)
        return render(request, "core/object_form.html", self.context(form=form, object=instance), status=400)


def add_form_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: field errors on their fields, the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PostStepView(LoginRequiredMixin, View):
    """A workflow step posted from a page (submit, approve, cancel …): subclasses define ``post`` and either
    call the service themselves and answer with ``done``/``refused``, or hand it to ``run``, which shows the
    refusal (a ValidationError or PermissionDenied, in Chinese) or the success message. Both go back to
    ``back()``: a local ``next`` the form posted, else the object's page."""

    http_method_names = ["post"]

    def back(self, request, obj):
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect(obj.get_absolute_url())

    def done(self, request, obj, message: str):
        messages.success(request, message)
        return self.back(request, obj)

    def refused(self, request, obj, exc: ValidationError | PermissionDenied):
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text or _("您没有权限执行此操作。"))
        return self.back(request, obj)

    def run(self, request, obj, call, message: str | None = None):
        """Run ``call()``; on success show ``message`` (or, when None, the text ``call`` returned)."""
        try:
            result = call()
        except (ValidationError, PermissionDenied) as exc:
            return self.refused(request, obj, exc)
        return self.done(request, obj, result if message is None else message)


class ObjectDeleteView(ObjectView):
    def get(self, request, pk):
        obj = self.get_object("delete")
        return render(request, "core/object_confirm_delete.html", self.context(object=obj))

    def post(self, request, pk):
        obj = self.get_object("delete")
        try:
            self.config.delete(actor=request.user, instance=obj)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect(self.url("detail", obj))
        messages.success(request, _("已删除“%(obj)s”。") % {"obj": obj})
        return redirect(self.url("list"))


class ObjectImportView(ObjectView):
    def get(self, request):
        self.require("import")
        if request.GET.get("template"):
            fmt = "xlsx" if request.GET["template"] == "xlsx" else "csv"
            body, name = import_templates.template_bytes(self.model, fmt)
            response = HttpResponse(body, content_type="application/octet-stream")
            response["Content-Disposition"] = import_templates.content_disposition(name)
            return response
        jobs = ImportJob.objects.filter(created_by=request.user, target=self.model._meta.label)[:10]
        return render(
            request,
            "core/import.html",
            self.context(
                form=ImportForm(), jobs=jobs, columns=import_templates.columns(resource_for(self.model)())
            ),
        )

    def post(self, request):
        self.require("import")
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.import_job_create(
                    actor=request.user, model=self.model, upload=form.cleaned_data["file"]
                )
                return redirect("core:import_job", pk=job.pk)
            except ValidationError as exc:
                add_form_errors(form, exc)
        jobs = ImportJob.objects.filter(created_by=request.user, target=self.model._meta.label)[:10]
        return render(
            request,
            "core/import.html",
            self.context(form=form, jobs=jobs, columns=import_templates.columns(resource_for(self.model)())),
            status=400,
        )


class ObjectHistoryView(ObjectView):
    """Who changed what: for those who may change the record (the history names people and old values)."""

    def get(self, request, pk):
        obj = self.get_object("change")
        ct = ContentType.objects.get_for_model(self.model, for_concrete_model=True)
        entries = AuditLog.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related(
            "actor", "content_type"
        )[:200]
        return render(request, "core/object_history.html", self.context(object=obj, entries=entries))


class ModelViews:
    """Declarative configuration of a model's pages; ``urls()`` returns its URL patterns."""

    model: type[models.Model]
    filterset = None
    table = None
    form = None
    importable = True
    per_page = PER_PAGE
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    detail_exclude: tuple[str, ...] = ("id", "created_at", "updated_at", "search_text")
    detail_template = "core/object_detail.html"
    namespace = ""
    prefix = ""

    @classmethod
    def base_queryset(cls):
        qs = cls.model.objects.all()
        if cls.select_related:
            qs = qs.select_related(*cls.select_related)
        if cls.prefetch_related:
            qs = qs.prefetch_related(*cls.prefetch_related)
        return qs

    @classmethod
    def export_queryset(cls, qs):
        if cls.select_related:
            qs = qs.select_related(*cls.select_related)
        if cls.prefetch_related:
            qs = qs.prefetch_related(*cls.prefetch_related)
        return qs

    # Writes: the app's own services where the model has business rules (``create_service =
    # staticmethod(services.x_create)``, called as ``(actor=, data=)``; update ``(actor=, instance=, data=)``;
    # delete ``(actor=, instance=)``), else the generic ones. Override the methods for anything else.
    create_service = None
    update_service = None
    delete_service = None

    @classmethod
    def create(cls, *, actor, data):
        if cls.create_service is not None:
            return cls.create_service(actor=actor, data=data)
        return services.object_create(actor=actor, model=cls.model, data=data)

    @classmethod
    def update(cls, *, actor, instance, data):
        if cls.update_service is not None:
            return cls.update_service(actor=actor, instance=instance, data=data)
        return services.object_update(actor=actor, instance=instance, data=data)

    @classmethod
    def delete(cls, *, actor, instance):
        if cls.delete_service is not None:
            return cls.delete_service(actor=actor, instance=instance)
        return services.object_delete(actor=actor, instance=instance)

    @classmethod
    def detail_fields(cls, obj) -> list[tuple[str, object]]:
        rows = []
        for field in obj._meta.fields:
            if field.name in cls.detail_exclude:
                continue
            value = getattr(obj, f"get_{field.name}_display")() if field.choices else getattr(obj, field.name)
            rows.append((field.verbose_name, value))
        for field in obj._meta.many_to_many:
            if field.name not in cls.detail_exclude:
                rows.append((field.verbose_name, "、".join(str(v) for v in getattr(obj, field.name).all())))
        return rows

    @classmethod
    def name(cls, action: str) -> str:
        # The URL namespace is the app's label unless urls() was given another.
        return f"{cls.namespace or cls.model._meta.app_label}:{cls.model._meta.model_name}_{action}"

    @classmethod
    def url_for(cls, action: str, obj=None) -> str:
        if obj is not None:
            return reverse(cls.name(action), kwargs={"pk": obj.pk})
        return reverse(cls.name(action))

    @classmethod
    def urls(cls, prefix: str, namespace: str) -> list:
        cls.prefix = prefix
        cls.namespace = namespace
        model_name = cls.model._meta.model_name

        def view(base):
            return type(f"{cls.__name__}{base.__name__}", (base,), {"config": cls}).as_view()

        patterns = [
            path(f"{prefix}/", view(ObjectListView), name=f"{model_name}_list"),
            path(f"{prefix}/<int:pk>/", view(ObjectDetailView), name=f"{model_name}_detail"),
            path(f"{prefix}/<int:pk>/history/", view(ObjectHistoryView), name=f"{model_name}_history"),
        ]
        if cls.form is not None:
            patterns += [
                path(f"{prefix}/add/", view(ObjectEditView), name=f"{model_name}_add"),
                path(f"{prefix}/<int:pk>/edit/", view(ObjectEditView), name=f"{model_name}_edit"),
                path(f"{prefix}/<int:pk>/delete/", view(ObjectDeleteView), name=f"{model_name}_delete"),
            ]
        if cls.importable:
            patterns.append(path(f"{prefix}/import/", view(ObjectImportView), name=f"{model_name}_import"))
        return patterns
