"""Pages of positions, applications and graduate outcomes: the generic list/detail/edit pages (ModelViews)
with the pipeline's steps as POST forms on the detail pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from xiaoqitong.core import services as core_services
from xiaoqitong.core.formats import day_text, when_text
from xiaoqitong.core.policy import can
from xiaoqitong.core.views import ModelViews, ObjectDetailView, PostStepView
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import Student

from . import discrimination, filtersets, forms, services, tables
from .choices import HIRED, ApplicationStatus
from .models import Application, GraduateOutcome, Position
from .policies import (
    STEP_LABELS,
    application_steps,
    outcomes_deidentified_for,
    position_insider,
    position_steps,
)
from .resources import POSITION_EXPORT_PREFETCH
from .selectors import open_positions, own_student, places_taken, with_places_taken


class DetailView(ObjectDetailView):
    """The generic detail page with rows and extra context chosen per user (``detail_rows``,
    ``detail_context`` of the config)."""

    def get(self, request, pk):
        obj = self.get_object()
        return render(
            request,
            self.config.detail_template,
            self.context(
                object=self.config.shown_object(obj, request.user),
                fields=self.config.detail_rows(obj, request.user),
                can_change=can(request.user, "change", obj),
                can_delete=can(request.user, "delete", obj),
                **self.config.detail_context(obj, request),
            ),
        )


class AppModelViews(ModelViews):
    """ModelViews whose detail page is :class:`DetailView`, plus the config's ``extra_urls``."""

    @classmethod
    def shown_object(cls, obj, user):
        return obj

    @classmethod
    def detail_rows(cls, obj, user) -> list[tuple[str, object]]:
        return cls.detail_fields(obj)

    @classmethod
    def detail_context(cls, obj, request) -> dict:
        return {}

    @classmethod
    def extra_urls(cls, prefix: str) -> list:
        return []

    @classmethod
    def urls(cls, prefix: str, namespace: str) -> list:
        patterns = super().urls(prefix, namespace)
        name = f"{cls.model._meta.model_name}_detail"
        detail = type(f"{cls.__name__}DetailView", (DetailView,), {"config": cls}).as_view()
        patterns = [path(f"{prefix}/<int:pk>/", detail, name=name) if p.name == name else p for p in patterns]
        return patterns + cls.extra_urls(prefix)


def _join(values) -> str:
    return "、".join(str(v) for v in values)


# --- positions ---------------------------------------------------------------------------------------------
class PositionViews(AppModelViews):
    model = Position
    filterset = filtersets.PositionFilterSet
    table = tables.PositionTable
    form = forms.PositionForm
    select_related = ("enterprise", "county")
    detail_template = "enterprises/position_detail.html"

    @classmethod
    def base_queryset(cls):
        return with_places_taken(super().base_queryset())

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related(*cls.select_related).prefetch_related(*POSITION_EXPORT_PREFETCH)

    @classmethod
    def create(cls, *, actor, data):
        return services.position_create(actor=actor, data=forms.PositionForm.service_data(data))

    @classmethod
    def update(cls, *, actor, instance, data):
        return services.position_update(
            actor=actor, instance=instance, data=forms.PositionForm.service_data(data)
        )

    delete_service = staticmethod(services.position_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        skills = list(obj.skill_requirements.select_related("skill"))
        certificates = list(obj.certificate_requirements.select_related("certificate"))
        salary = "–".join(str(v) for v in (obj.salary_min, obj.salary_max) if v) or ""
        rows = [
            (_("企业"), obj.enterprise),
            (_("岗位类型"), obj.get_position_type_display()),
            (_("岗位描述"), obj.description),
            (
                _("需求专业"),
                _join([*obj.majors.all(), *obj.major_classes.all(), *obj.major_categories.all()]),
            ),
            (_("必备技能"), _join(r.skill for r in skills if r.required)),
            (_("加分技能"), _join(r.skill for r in skills if not r.required)),
            (_("必备证书"), _join(r.certificate for r in certificates if r.required)),
            (_("加分证书"), _join(r.certificate for r in certificates if not r.required)),
            (_("最低学历"), obj.get_min_education_display()),
            (_("招聘人数"), obj.headcount),
            (_("月薪（元）"), salary),
            (_("工作地点"), obj.county),
            (_("到岗日期"), day_text(obj.start_date)),
            (_("有效期至"), day_text(obj.valid_until)),
            (_("状态"), obj.get_status_display()),
            (_("发布时间"), when_text(obj.published_at)),
        ]
        return rows

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        steps = position_steps(user, obj)
        student = own_student(user)
        applied = student is not None and Application.objects.filter(student=student, position=obj).exists()
        is_open = open_positions(Position.objects.filter(pk=obj.pk)).exists()
        taken = places_taken(obj)
        full = taken >= obj.headcount
        # The enterprise and the reviewers see the review note and the hints on age or height.
        insider = position_insider(user, obj)
        # Why a student-role user gets no apply form on an open posting, said in place of it.
        apply_notice = ""
        if is_open and not applied and not user.is_superuser and user.role == Role.STUDENT:
            if student is None:
                apply_notice = str(services.NO_STUDENT_RECORD)
            elif full:
                apply_notice = services.full_message(obj, taken)
        # "Applications received" is the posting enterprise's inbox (a school reads its students' elsewhere).
        receives = user.is_superuser or (bool(user.enterprise_id) and user.enterprise_id == obj.enterprise_id)
        return {
            "steps": [(step, STEP_LABELS[step]) for step in steps],
            "review_note": obj.review_note if insider else "",
            "taken": taken,
            "full": full,
            "can_apply": student is not None and is_open and not applied and not full,
            "applied": applied,
            "apply_notice": apply_notice,
            "is_open": is_open,
            "warnings": discrimination.warnings({"title": obj.title, "description": obj.description})
            if insider
            else [],
            "applications_url": f"{ApplicationViews.url_for('list')}?position={obj.pk}"
            if receives and can(user, "view", Application)
            else "",
        }

    @classmethod
    def extra_urls(cls, prefix):
        steps = [
            path(
                f"{prefix}/<int:pk>/{step}/",
                PositionStepView.as_view(),
                {"step": step},
                name=f"position_{step}",
            )
            for step in STEP_LABELS
        ]
        return [*steps, path(f"{prefix}/<int:pk>/apply/", ApplyView.as_view(), name="position_apply")]


class PositionStepView(PostStepView):
    """POST …/positions/<pk>/<step>/: submit, publish, return (with the reviewer's reasons) or close."""

    def post(self, request, pk, step):
        position = get_object_or_404(Position.objects.restrict(request.user, "view"), pk=pk)
        form = forms.ReviewForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            if step == "submit":
                services.position_submit(actor=request.user, position=position)
                message = _("已提交审核，审核结果将在本页显示。")
            elif step == "publish":
                services.position_publish(actor=request.user, position=position, note=note)
                message = _("已发布，学生现在可以投递。")
            elif step == "return":
                services.position_return(actor=request.user, position=position, reason=note)
                message = _("已退回企业修改。")
            else:
                services.position_close(actor=request.user, position=position)
                message = _("已关闭招聘。")
        except ValidationError as exc:
            return self.refused(request, position, exc)
        return self.done(request, position, message)


class ApplyView(PostStepView):
    """POST …/positions/<pk>/apply/: the student applies with an optional note."""

    def post(self, request, pk):
        position = get_object_or_404(Position.objects.restrict(request.user, "view"), pk=pk)
        note = (request.POST.get("note") or "").strip()[:2000]
        try:
            application = services.application_create(actor=request.user, position=position, note=note)
        except ValidationError as exc:
            return self.refused(request, position, exc)
        messages.success(request, _("已投递“%(title)s”，进展将在本页显示。") % {"title": position.title})
        return redirect(application.get_absolute_url())


# --- applications ------------------------------------------------------------------------------------------
class ApplicationViews(AppModelViews):
    model = Application
    filterset = filtersets.ApplicationFilterSet
    table = tables.ApplicationTable
    form = forms.ApplicationForm
    importable = False
    select_related = ("student__school", "position__enterprise")
    detail_template = "enterprises/application_detail.html"

    @classmethod
    def create(cls, *, actor, data):
        data = forms.ApplicationForm.service_data(data)
        return services.application_create(
            actor=actor, position=data["position"], student=data.get("student"), note=data.get("note", "")
        )

    update_service = staticmethod(services.application_update)

    @classmethod
    def detail_rows(cls, obj, user):
        student = obj.student
        return [
            (_("学生"), f"{student.name}（{student.student_no}）"),
            (_("学校"), student.school),
            (_("专业"), student.school_major.major.name),
            (_("岗位"), obj.position.title),
            (_("企业"), obj.position.enterprise),
            (_("状态"), obj.get_status_display()),
            (_("求职留言"), obj.note),
            (_("投递时间"), when_text(obj.created_at)),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        steps = application_steps(request.user, obj)
        headcount_full = ""
        if ApplicationStatus.OFFERED in steps:
            # No 录用 to offer once the other offers and hires fill the headcount (the service refuses it).
            others = places_taken(obj.position) - (obj.status in HIRED)
            if others >= obj.position.headcount:
                steps.remove(ApplicationStatus.OFFERED)
                headcount_full = _(
                    "名额已满：该岗位招聘 %(headcount)s 人，已录用 %(taken)s 人，不能再录用。"
                ) % {"headcount": obj.position.headcount, "taken": others}
        # Withdrawing is one button with a confirmation, not a choice in the status list.
        can_withdraw = ApplicationStatus.WITHDRAWN in steps
        steps = [s for s in steps if s != ApplicationStatus.WITHDRAWN]
        student_visible = Student.objects.restrict(request.user, "view").filter(pk=obj.student_id).exists()
        return {
            "events": obj.events.select_related("actor"),
            "steps": [(s, ApplicationStatus(s).label) for s in steps],
            "can_withdraw": can_withdraw,
            "headcount_full": headcount_full,
            "position_url": obj.position.get_absolute_url()
            if Position.objects.restrict(request.user, "view").filter(pk=obj.position_id).exists()
            else "",
            "student_url": obj.student.get_absolute_url() if student_visible else "",
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [path(f"{prefix}/<int:pk>/advance/", AdvanceView.as_view(), name="application_advance")]


class AdvanceView(PostStepView):
    """POST …/applications/<pk>/advance/ with ``to_status`` and an optional ``note``."""

    def post(self, request, pk):
        application = get_object_or_404(
            Application.objects.restrict(request.user, "view").select_related("position", "student"), pk=pk
        )
        form = forms.AdvanceForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect(application.get_absolute_url())
        try:
            services.application_advance(
                actor=request.user,
                application=application,
                to_status=form.cleaned_data["to_status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            return self.refused(request, application, exc)
        label = ApplicationStatus(form.cleaned_data["to_status"]).label
        return self.done(request, application, _("申请已变为“%(status)s”。") % {"status": label})


# --- graduate outcomes -------------------------------------------------------------------------------------
class _Deidentified:
    """An outcome as a researcher sees it: its label names no one; everything else reads through."""

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, name):
        return getattr(self._obj, name)

    def __str__(self):
        return _("%(year)s 届毕业去向 #%(pk)s") % {"year": self._obj.year, "pk": self._obj.pk}


class GraduateOutcomeViews(AppModelViews):
    model = GraduateOutcome
    filterset = filtersets.GraduateOutcomeFilterSet
    table = tables.GraduateOutcomeTable
    form = forms.GraduateOutcomeForm
    select_related = ("student__school", "student__school_major__major", "enterprise")

    @classmethod
    def create(cls, *, actor, data):
        return core_services.object_create(
            actor=actor, model=GraduateOutcome, data=forms.GraduateOutcomeForm.service_data(data)
        )

    @classmethod
    def update(cls, *, actor, instance, data):
        return core_services.object_update(
            actor=actor, instance=instance, data=forms.GraduateOutcomeForm.service_data(data)
        )

    @classmethod
    def shown_object(cls, obj, user):
        return _Deidentified(obj) if outcomes_deidentified_for(user) else obj

    @classmethod
    def detail_rows(cls, obj, user):
        student = obj.student
        rows = [
            (_("学校"), student.school),
            (_("专业"), student.school_major.major.name),
        ]
        if not outcomes_deidentified_for(user):
            rows = [(_("毕业生"), student.name), (_("学号"), student.student_no), *rows]
        yes_no = {True: _("是"), False: _("否"), None: ""}
        return [
            *rows,
            (_("毕业年度"), obj.year),
            (_("去向"), obj.get_outcome_display()),
            (_("就业单位"), obj.employer_name),
            (_("在本市就业"), yes_no[obj.in_city]),
            (_("专业对口"), yes_no[obj.related_to_major]),
            (_("升学层次"), obj.get_further_level_display()),
            (_("来源"), obj.get_source_display()),
        ]
