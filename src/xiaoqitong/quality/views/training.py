"""Pages of social training (二（三）, T4, T6):

- programmes (``/quality/training/programmes/``) and sessions (``/quality/training/sessions/``): the generic
  list/detail/add/edit/delete/import/export/history pages; a programme's page lists its sessions with their
  person-times, a session's page its roster (names, phone numbers masked) with the roster import and the
  “clear the roster” step;
- the roster (``/quality/training/participants/``): list, export and the import (the core's import pages:
  the file is validated as a whole in the background with its progress shown, then committed on
  confirmation);
- “培训人次” (``/quality/training/person-times/?year=``): the city's person-times against T4, each school's
  against twice its full-time enrolment (T6), by kind, by funding department, by kind of provider, the
  “福城培训” share, and a school's own line and programmes; export of the same rows.
"""

import tablib
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import day_text
from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.policy import can, policy_for
from xiaoqitong.core.views import PostStepView
from xiaoqitong.enterprises.views import AppModelViews
from xiaoqitong.schools.selectors import mask_phone

from ..filtersets.training import (
    TrainingParticipantFilterSet,
    TrainingProgrammeFilterSet,
    TrainingSessionFilterSet,
)
from ..forms.training import TrainingProgrammeForm, TrainingSessionForm
from ..models import TrainingParticipant, TrainingProgramme, TrainingSession
from ..policies.training import may_view_person_times
from ..resources.training import programme_export_queryset, session_export_queryset
from ..selectors import training as selectors
from ..services import training as services
from ..tables.training import (
    TrainingParticipantTable,
    TrainingProgrammeTable,
    TrainingSessionTable,
    provider_text,
)
from .targets import chosen_year, year_choices

NAMESPACE = "quality"
ROSTER_SHOWN = 500  # a session's page lists this many roster rows (the list page pages through all)


# --- programmes -----------------------------------------------------------------------------------
class TrainingProgrammeViews(AppModelViews):
    model = TrainingProgramme
    filterset = TrainingProgrammeFilterSet
    table = TrainingProgrammeTable
    form = TrainingProgrammeForm
    select_related = ("provider_school", "provider_enterprise", "funding_department")
    detail_template = "quality/training/trainingprogramme_detail.html"

    @classmethod
    def base_queryset(cls):
        return super().base_queryset().annotate(person_times_total=selectors.programme_person_times())

    @classmethod
    def export_queryset(cls, qs):
        return programme_export_queryset(qs).prefetch_related("majors")

    @classmethod
    def create(cls, *, actor, data):
        return services.training_programme_create(actor=actor, data=TrainingProgrammeForm.service_data(data))

    @classmethod
    def update(cls, *, actor, instance, data):
        return services.training_programme_update(
            actor=actor, instance=instance, data=TrainingProgrammeForm.service_data(data)
        )

    delete_service = staticmethod(services.training_programme_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("项目编号"), obj.code),
            (_("培训类型"), obj.get_kind_display()),
            (_("年度"), obj.year),
            (_("承办方"), provider_text(obj)),
            (_("经费来源部门"), obj.funding_department or ""),
            (_("“福城培训”品牌"), obj.fucheng_brand),
            (_("相关专业"), "、".join(f"{m.name}（{m.code}）" for m in obj.majors.all())),
            (_("累计培训人次"), obj.person_times_total),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        sessions = list(
            selectors.with_person_times(obj.sessions.select_related("programme")).order_by("number")
        )
        by_year: dict[int, int] = {}
        for session in sessions:
            by_year[session.end_date.year] = by_year.get(session.end_date.year, 0) + session.person_times
        return {
            "sessions": sessions,
            "by_year": sorted(by_year.items(), reverse=True),
            "can_add_session": can(request.user, "change", obj),
            "session_add_url": reverse(f"{NAMESPACE}:trainingsession_add"),
            "roster_import_url": reverse(f"{NAMESPACE}:trainingparticipant_import"),
        }


# --- sessions -------------------------------------------------------------------------------------
class TrainingSessionViews(AppModelViews):
    model = TrainingSession
    filterset = TrainingSessionFilterSet
    table = TrainingSessionTable
    form = TrainingSessionForm
    select_related = ("programme",)
    detail_template = "quality/training/trainingsession_detail.html"

    @classmethod
    def base_queryset(cls):
        return selectors.with_person_times(super().base_queryset())

    @classmethod
    def export_queryset(cls, qs):
        return session_export_queryset(qs)

    create_service = staticmethod(services.training_session_create)
    update_service = staticmethod(services.training_session_update)
    delete_service = staticmethod(services.training_session_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        counted = _("按花名册") if obj.roster_size else _("按填报人次")
        return [
            (_("培训项目"), f"{obj.programme.title}（{obj.programme.code}）"),
            (_("期次"), obj.number),
            (_("开始日期"), day_text(obj.start_date)),
            (_("结束日期"), day_text(obj.end_date)),
            (_("培训地点"), obj.place),
            (_("学时"), obj.hours),
            (_("花名册人数"), obj.roster_size),
            (_("填报人次"), obj.reported_person_times),
            (
                _("计入人次"),
                _("%(n)s（%(how)s，计入 %(year)s 年）")
                % {"n": obj.person_times, "how": counted, "year": obj.end_date.year},
            ),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        participants = [
            {"name": p.name, "phone": mask_phone(p.phone), "completed": p.completed}
            for p in obj.participants.order_by("name", "pk")[:ROSTER_SHOWN]
        ]
        writable = can(user, "change", obj)
        return {
            "participants": participants,
            "roster_more": max(obj.roster_size - len(participants), 0),
            "can_import_roster": writable and policy_for(TrainingParticipant).allows(user, "import"),
            "roster_import_url": reverse(f"{NAMESPACE}:trainingparticipant_import"),
            "roster_list_url": reverse(f"{NAMESPACE}:trainingparticipant_list") + f"?session={obj.pk}",
            "can_clear_roster": writable and obj.roster_size > 0,
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(
                f"{prefix}/<int:pk>/roster/clear/",
                RosterClearView.as_view(),
                name="trainingsession_roster_clear",
            )
        ]


class RosterClearView(PostStepView):
    """POST …/sessions/<pk>/roster/clear/: remove the session's roster (to import a corrected file)."""

    def post(self, request, pk):
        session = get_object_or_404(TrainingSession.objects.restrict(request.user, "view"), pk=pk)
        try:
            count = services.session_roster_clear(actor=request.user, session=session)
        except (ValidationError, PermissionDenied) as exc:
            return self.refused(request, session, exc)
        return self.done(request, session, _("已清空花名册（%(n)s 人），可重新导入。") % {"n": count})


# --- the roster -----------------------------------------------------------------------------------
class TrainingParticipantViews(AppModelViews):
    """The roster rows: list (phone masked), export, import; written only by the import."""

    model = TrainingParticipant
    filterset = TrainingParticipantFilterSet
    table = TrainingParticipantTable
    select_related = ("session__programme",)
    detail_exclude = ("id", "created_at", "updated_at", "id_card_hash", "phone")

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("培训班次"), obj.session),
            (_("姓名"), obj.name),
            (_("手机号"), mask_phone(obj.phone)),
            (_("身份证号"), _("已登记（只保存摘要）")),
            (_("结业"), obj.completed),
        ]


# --- person-times (T4, T6) ------------------------------------------------------------------------
def _met(met: bool | None) -> str:
    return {True: _("达标"), False: _("未达标"), None: _("暂无数据")}[met]


def _num(value) -> object:
    return "" if value is None else value


def schools_dataset(report: dict) -> tablib.Dataset:
    """One row per school line: person-times, enrolment, multiple, required person-times, met or not."""
    out = tablib.Dataset(
        headers=[
            "年度",
            "学校代码",
            "学校名称",
            "承办培训人次",
            "全日制在校生",
            "倍数",
            "目标倍数",
            "应达人次",
            "是否达标",
            "依据",
        ]
    )
    target = report["school_target"]
    for line in report["schools"]:
        out.append(
            [
                report["year"],
                line.school.code,
                line.school.name,
                line.person_times,
                _num(line.enrolment),
                _num(line.multiple),
                f"{target['value'].normalize():f}",
                _num(line.required),
                _met(line.met),
                target["cite"],
            ]
        )
    return out


def summary_dataset(report: dict) -> tablib.Dataset:
    """The city's total against T4, then the breakdowns (kind, provider, funding department, brand)."""
    out = tablib.Dataset(
        headers=["年度", "分组", "项目", "培训人次", "占全市（%）", "目标", "是否达标", "依据"]
    )
    city = report["city"]
    year = report["year"]
    out.append(
        [
            year,
            _("全市"),
            _("全市培训人次"),
            _num(city["person_times"]),
            "",
            city["target"],
            _met(city["met"]),
            city["cite"],
        ]
    )
    for group, items in (
        (_("培训类型"), report["kinds"]),
        (_("承办方类型"), report["providers"]),
        (_("经费来源部门"), report["departments"]),
        (_("品牌"), [report["brand"]]),
    ):
        for item in items:
            out.append([year, group, item.label, item.person_times, _num(item.share), "", "", ""])
    return out


class PersonTimesView(LoginRequiredMixin, View):
    """GET /quality/training/person-times/?year=2026 (``&export=xlsx|csv&table=schools|summary``)."""

    def get(self, request):
        if not may_view_person_times(request.user):
            raise PermissionDenied(_("培训人次统计面向政府部门、学校、企业和研究人员。"))
        year = chosen_year(request)
        report = selectors.person_times_report(request.user, year)
        fmt = request.GET.get("export")
        if fmt:
            if request.GET.get("table") == "summary":
                data, name = summary_dataset(report), _("培训人次汇总（T4）")
            else:
                data, name = schools_dataset(report), _("学校培训人次（T6）")
            return dataset_response(data, fmt, f"{name}-{year}", request.GET.get("encoding", "utf-8"))
        return render(
            request,
            "quality/training/person_times.html",
            report
            | {
                "years": year_choices(),
                "programme_list_url": reverse(f"{NAMESPACE}:trainingprogramme_list"),
                "session_list_url": reverse(f"{NAMESPACE}:trainingsession_list"),
                "can_import_roster": policy_for(TrainingParticipant).allows(request.user, "import"),
                "roster_import_url": reverse(f"{NAMESPACE}:trainingparticipant_import"),
                "can_list_programmes": policy_for(TrainingProgramme).allows(request.user, "view"),
            },
        )


urlpatterns = [
    path("training/person-times/", PersonTimesView.as_view(), name="training_person_times"),
    *TrainingProgrammeViews.urls("training/programmes", NAMESPACE),
    *TrainingSessionViews.urls("training/sessions", NAMESPACE),
    *TrainingParticipantViews.urls("training/participants", NAMESPACE),
]
