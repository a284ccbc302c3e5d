"""Pages of internships: the generic pages of plans, placements, weekly logs, check-ins, leave requests,
subsidies and evaluations (``AppModelViews``) with their steps as POST forms on the detail pages; a student's
"我的实习", a mentor's "待会签周志" and the compliance dashboard (with its xlsx/csv export)."""

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import day_text, percent_text, when_text
from xiaoqitong.core.policy import can, policy_for
from xiaoqitong.core.views import PostStepView
from xiaoqitong.enterprises.views import AppModelViews
from xiaoqitong.orgs.choices import Role

from .. import rules
from ..choices import LeaveStatus, MentorSide, PlacementStatus, RuleKey
from ..filtersets import internships as filtersets
from ..forms import internships as forms
from ..models import (
    CheckIn,
    Evaluation,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
)
from ..policies.internships import (
    PLACEMENT_STEP_LABELS,
    is_placement_student,
    log_steps,
    mentor_side,
    placement_steps,
)
from ..selectors import internships as selectors
from ..services import internships as services
from ..tables import internships as tables

NS = "cooperation"


def _span(start, end) -> str:
    return _("%(start)s 至 %(end)s") % {"start": day_text(start), "end": day_text(end)}


def _user(user) -> str:
    return str(user) if user is not None else ""


# --- plans --------------------------------------------------------------------------------------------------
class InternshipPlanViews(AppModelViews):
    model = InternshipPlan
    filterset = filtersets.InternshipPlanFilterSet
    table = tables.InternshipPlanTable
    form = forms.InternshipPlanForm
    select_related = ("school", "school_major__major")
    detail_template = "cooperation/internships/plan_detail.html"

    @classmethod
    def base_queryset(cls):
        return selectors.with_placed(super().base_queryset())

    create_service = staticmethod(services.internship_plan_create)
    update_service = staticmethod(services.internship_plan_update)
    delete_service = staticmethod(services.internship_plan_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("学校"), obj.school),
            (_("专业"), obj.school_major.major.name),
            (_("年级"), obj.cohort),
            (_("实习期"), _span(obj.period_start, obj.period_end)),
            (_("计划实习人数"), obj.planned_interns),
            (
                _("其中市域内企业人数"),
                f"{obj.planned_local}（{percent_text(obj.planned_local, obj.planned_interns)}）",
            ),
            (_("已安排实习"), obj.placed),
            (_("其中市域内企业"), f"{obj.placed_local}（{percent_text(obj.placed_local, obj.placed)}）"),
            (_("说明"), obj.note),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        placements = list(selectors.plan_placements(request.user, obj))
        counted = [p for p in placements if p.status != PlacementStatus.TERMINATED]
        flag = services.t16_flag(obj, len(counted), sum(1 for p in counted if p.in_city))
        return {
            "placements": placements,
            "t16_flag": flag,
            "rule_percent": selectors.rule_percent(rules.value(RuleKey.LOCAL_INTERN_SHARE)),
            "rule_cite": rules.cite(RuleKey.LOCAL_INTERN_SHARE),
            "can_place": can(request.user, "change", obj)
            and policy_for(Placement).allows(request.user, "add"),
            "add_placement_url": f"{reverse(f'{NS}:placement_add')}?plan={obj.pk}",
        }


# --- placements ---------------------------------------------------------------------------------------------
class PlacementViews(AppModelViews):
    model = Placement
    filterset = filtersets.PlacementFilterSet
    table = tables.PlacementTable
    form = forms.PlacementForm
    select_related = ("student", "plan__school", "enterprise")
    detail_template = "cooperation/internships/placement_detail.html"

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related(
            "student", "plan__school", "enterprise", "school_mentor", "enterprise_mentor", "plan"
        )

    @classmethod
    def create(cls, *, actor, data):
        return services.placement_create(actor=actor, data=forms.PlacementForm.service_data(data))

    @classmethod
    def update(cls, *, actor, instance, data):
        return services.placement_update(
            actor=actor, instance=instance, data=forms.PlacementForm.service_data(data)
        )

    delete_service = staticmethod(services.placement_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("学生"), f"{obj.student.name}（{obj.student.student_no}）"),
            (_("学校"), obj.plan.school),
            (_("实习计划"), obj.plan.title),
            (_("实习单位"), obj.enterprise),
            (_("市域内企业"), obj.in_city),
            (_("实习基地"), obj.base or ""),
            (_("学校导师"), _user(obj.school_mentor)),
            (_("企业导师"), _user(obj.enterprise_mentor)),
            (_("实习期"), _span(obj.start_date, obj.end_date)),
            (_("状态"), obj.get_status_display()),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        side = mentor_side(user, obj)
        evaluations = {e.side: e for e in obj.evaluations.select_related("evaluator")}
        return {
            "steps": [(s, PLACEMENT_STEP_LABELS[s]) for s in placement_steps(user, obj)],
            "flags": obj.flags or [],
            "plan_url": obj.plan.get_absolute_url() if can(user, "view", obj.plan) else "",
            "logs": obj.logs.order_by("-week_start")[:60],
            "check_in_days": obj.check_ins.count(),
            "recent_check_ins": obj.check_ins.order_by("-date")[:7],
            "leave_requests": obj.leave_requests.order_by("-start_date")[:20],
            "subsidies": obj.subsidies.order_by("-month")[:24],
            "evaluations": [
                (MentorSide(s).label, evaluations.get(s)) for s in (MentorSide.SCHOOL, MentorSide.ENTERPRISE)
            ],
            "can_evaluate": side is not None
            and side not in evaluations
            and obj.status in (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED),
            "is_student": is_placement_student(user, obj),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/<int:pk>/<str:step>/", PlacementStepView.as_view(), name="placement_step"),
        ]


class PlacementStepView(PostStepView):
    """POST …/placements/<pk>/<start|complete|terminate>/ (terminate with ``comment``: the reason)."""

    def post(self, request, pk, step):
        placement = get_object_or_404(Placement.objects.restrict(request.user, "view"), pk=pk)
        if step not in PLACEMENT_STEP_LABELS:
            return self.back(request, placement)
        call = {
            "start": lambda: services.placement_start(actor=request.user, placement=placement),
            "complete": lambda: services.placement_complete(actor=request.user, placement=placement),
            "terminate": lambda: services.placement_terminate(
                actor=request.user, placement=placement, reason=request.POST.get("comment", "")
            ),
        }[step]
        message = {"start": _("实习已开始。"), "complete": _("实习已结束。"), "terminate": _("实习已中止。")}[
            step
        ]
        return self.run(request, placement, call, message)


# --- weekly logs --------------------------------------------------------------------------------------------
class InternshipLogViews(AppModelViews):
    model = InternshipLog
    filterset = filtersets.InternshipLogFilterSet
    table = tables.InternshipLogTable
    form = forms.InternshipLogForm
    importable = False
    select_related = ("placement__student", "placement__enterprise")
    detail_template = "cooperation/internships/log_detail.html"

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("placement__student", "placement__enterprise", "placement__plan__school")

    @classmethod
    def create(cls, *, actor, data):
        return services.internship_log_create(
            actor=actor,
            placement=data["placement"],
            week_start=data["week_start"],
            content=data["content"],
            hours=data.get("hours") or 0,
            submit=bool(data.get("submit")),
        )

    update_service = staticmethod(services.internship_log_update)
    delete_service = staticmethod(services.internship_log_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        placement = obj.placement
        return [
            (_("学生"), placement.student.name),
            (_("实习单位"), placement.enterprise),
            (_("周次"), _span(obj.week_start, obj.week_start + dt.timedelta(days=6))),
            (_("实习时长（小时）"), obj.hours),
            (_("本周工作与收获"), obj.content),
            (_("状态"), obj.get_status_display()),
            (_("提交时间"), when_text(obj.submitted_at)),
            (_("会签人"), _user(obj.countersigned_by)),
            (_("会签时间"), when_text(obj.countersigned_at)),
            (_("导师意见"), obj.mentor_comment),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        return {"log_steps": log_steps(request.user, obj), "placement_url": obj.placement.get_absolute_url()}

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/pending/", PendingLogsView.as_view(), name="internship_pending_logs"),
            path(f"{prefix}/<int:pk>/<str:step>/", LogStepView.as_view(), name="internshiplog_step"),
        ]


class LogStepView(PostStepView):
    """POST …/internship-logs/<pk>/<submit|countersign|return>/ with an optional ``comment``."""

    def post(self, request, pk, step):
        log = get_object_or_404(InternshipLog.objects.restrict(request.user, "view"), pk=pk)
        comment = request.POST.get("comment", "")
        calls = {
            "submit": (
                lambda: services.internship_log_submit(actor=request.user, log=log),
                _("周志已提交，等待企业导师会签。"),
            ),
            "countersign": (
                lambda: services.internship_log_countersign(actor=request.user, log=log, comment=comment),
                _("已会签。"),
            ),
            "return": (
                lambda: services.internship_log_return(actor=request.user, log=log, comment=comment),
                _("已退回学生修改。"),
            ),
        }
        if step not in calls:
            return self.back(request, log)
        call, message = calls[step]
        return self.run(request, log, call, message)


class PendingLogsView(LoginRequiredMixin, View):
    """A mentor's logs to countersign, each with its countersign and return forms."""

    def get(self, request):
        logs = selectors.logs_awaiting_countersign(request.user)
        leave = selectors.leave_awaiting(request.user)
        return render(
            request,
            "cooperation/internships/pending_logs.html",
            {"logs": logs, "leave_requests": leave, "is_mentor": request.user.role == Role.ENTERPRISE_MENTOR},
        )


# --- check-ins ----------------------------------------------------------------------------------------------
class CheckInViews(AppModelViews):
    model = CheckIn
    filterset = filtersets.CheckInFilterSet
    table = tables.CheckInTable
    importable = False
    select_related = ("placement__student", "placement__enterprise")

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("placement__student", "placement__enterprise", "placement__plan__school")

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("学生"), obj.placement.student.name),
            (_("实习单位"), obj.placement.enterprise),
            (_("日期"), day_text(obj.date)),
            (_("签到时间"), when_text(obj.time)),
            (_("地点"), obj.location),
        ]

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/check-in/<int:placement>/", CheckInView.as_view(), name="internship_check_in")
        ]


class CheckInView(PostStepView):
    """POST …/check-ins/check-in/<placement>/ with an optional ``location``: the student checks in today."""

    def post(self, request, placement):
        obj = get_object_or_404(Placement.objects.restrict(request.user, "view"), pk=placement)
        location = request.POST.get("location", "")
        return self.run(
            request,
            obj,
            lambda: services.check_in_create(actor=request.user, placement=obj, location=location),
            _("签到成功。"),
        )


# --- leave --------------------------------------------------------------------------------------------------
class LeaveRequestViews(AppModelViews):
    model = LeaveRequest
    filterset = filtersets.LeaveRequestFilterSet
    table = tables.LeaveRequestTable
    form = forms.LeaveRequestForm
    importable = False
    select_related = ("placement__student", "placement__enterprise")
    detail_template = "cooperation/internships/leave_detail.html"

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("placement__student", "placement__plan__school")

    @classmethod
    def create(cls, *, actor, data):
        return services.leave_request_create(
            actor=actor,
            placement=data["placement"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            reason=data["reason"],
        )

    @classmethod
    def detail_rows(cls, obj, user):
        yes_no = {True: _("同意"), False: _("不同意"), None: _("待审批")}
        return [
            (_("学生"), obj.placement.student.name),
            (_("实习单位"), obj.placement.enterprise),
            (_("请假时间"), _span(obj.start_date, obj.end_date)),
            (_("事由"), obj.reason),
            (_("学校导师意见"), f"{yes_no[obj.school_decision]} {_user(obj.school_decided_by)}".strip()),
            (
                _("企业导师意见"),
                f"{yes_no[obj.enterprise_decision]} {_user(obj.enterprise_decided_by)}".strip(),
            ),
            (_("状态"), obj.get_status_display()),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        side = mentor_side(request.user, obj.placement)
        pending = obj.status == LeaveStatus.PENDING
        return {
            "decide_side": side if pending and side and getattr(obj, f"{side}_decision") is None else "",
            "decide_label": MentorSide(side).label if side else "",
            "can_cancel": pending and is_placement_student(request.user, obj.placement),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [path(f"{prefix}/<int:pk>/<str:step>/", LeaveStepView.as_view(), name="leaverequest_step")]


class LeaveStepView(PostStepView):
    """POST …/leave-requests/<pk>/<approve|reject|cancel>/ (approve/reject with ``side``)."""

    def post(self, request, pk, step):
        leave = get_object_or_404(
            LeaveRequest.objects.restrict(request.user, "view").select_related("placement"), pk=pk
        )
        if step == "cancel":
            return self.run(
                request,
                leave,
                lambda: services.leave_request_cancel(actor=request.user, leave=leave),
                _("已撤回请假。"),
            )
        if step not in ("approve", "reject"):
            return self.back(request, leave)
        side = request.POST.get("side") or mentor_side(request.user, leave.placement) or ""
        return self.run(
            request,
            leave,
            lambda: services.leave_request_decide(
                actor=request.user, leave=leave, side=side, approve=step == "approve"
            ),
            _("已审批。"),
        )


# --- subsidies ----------------------------------------------------------------------------------------------
class InternshipSubsidyViews(AppModelViews):
    model = InternshipSubsidy
    filterset = filtersets.InternshipSubsidyFilterSet
    table = tables.InternshipSubsidyTable
    form = forms.InternshipSubsidyForm
    select_related = ("placement__student", "placement__enterprise")

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("placement__student", "placement__enterprise", "placement__plan__school")

    create_service = staticmethod(services.internship_subsidy_create)
    update_service = staticmethod(services.internship_subsidy_update)
    delete_service = staticmethod(services.internship_subsidy_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("学生"), obj.placement.student.name),
            (_("实习单位"), obj.placement.enterprise),
            (_("月份"), obj.month.strftime("%Y-%m")),
            (_("金额（元）"), obj.amount),
            (_("发放日期"), day_text(obj.paid_on)),
            (_("备注"), obj.note),
        ]


# --- evaluations --------------------------------------------------------------------------------------------
class EvaluationViews(AppModelViews):
    model = Evaluation
    filterset = filtersets.EvaluationFilterSet
    table = tables.EvaluationTable
    form = forms.EvaluationForm
    importable = False
    select_related = ("placement__student", "placement__enterprise", "evaluator")

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related(
            "placement__student", "placement__enterprise", "placement__plan__school", "evaluator"
        )

    @classmethod
    def create(cls, *, actor, data):
        return services.evaluation_create(
            actor=actor,
            placement=data["placement"],
            side=data["side"],
            score=data["score"],
            comment=data.get("comment", ""),
        )

    update_service = staticmethod(services.evaluation_update)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("学生"), obj.placement.student.name),
            (_("实习单位"), obj.placement.enterprise),
            (_("评价方"), obj.get_side_display()),
            (_("评价人"), _user(obj.evaluator)),
            (_("成绩"), obj.score),
            (_("评语"), obj.comment),
        ]


# --- the student's page -------------------------------------------------------------------------------------
class MyInternshipView(LoginRequiredMixin, View):
    """ "我的实习": the student's placements, each with its logs, today's check-in, leave requests and
    evaluations, and the forms to write a log, check in and ask for leave."""

    def get(self, request):
        placements = list(
            selectors.own_placements(request.user).prefetch_related(
                "logs", "leave_requests", "evaluations", "check_ins"
            )
        )
        today = timezone.localdate()
        week = selectors.monday(today)
        cards = []
        for placement in placements:
            logs = sorted(placement.logs.all(), key=lambda log: log.week_start, reverse=True)
            check_ins = list(placement.check_ins.all())
            cards.append(
                {
                    "placement": placement,
                    "logs": logs,
                    "this_week_log": next((log for log in logs if log.week_start == week), None),
                    "checked_in_today": any(c.date == today for c in check_ins),
                    "check_in_days": len(check_ins),
                    "can_check_in": placement.status == PlacementStatus.ACTIVE
                    and placement.start_date <= today <= placement.end_date,
                    "can_write": placement.status in (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED),
                    "leave_requests": sorted(
                        placement.leave_requests.all(), key=lambda r: r.start_date, reverse=True
                    ),
                    "evaluations": list(placement.evaluations.all()),
                }
            )
        return render(
            request,
            "cooperation/internships/mine.html",
            {"cards": cards, "week": week, "is_student": request.user.role == Role.STUDENT},
        )


# --- the compliance dashboard -------------------------------------------------------------------------------
COMPLIANCE_COLUMNS = [
    ("school", "学校"),
    ("interns", "实习人数"),
    ("in_city", "市域内企业实习人数"),
    ("share_text", "市域内占比"),
    ("short", "短于最短实习时间"),
    ("flagged", "规则提示"),
    ("logs_expected", "应交周志"),
    ("logs_submitted", "已交周志"),
    ("logs_countersigned", "已会签周志"),
    ("check_in_days", "签到天数"),
    ("leave_pending", "待审批请假"),
    ("evaluations_completed", "完成双方鉴定"),
]


def _sees_compliance(user) -> bool:
    return user.is_superuser or user.role in {Role.GOV_OFFICER, Role.SCHOOL_ADMIN, Role.TEACHER}


def period_of(request) -> tuple[int, int | None]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    half = request.GET.get("half") or ""
    return year, int(half) if half in ("1", "2") else None


def compliance_table(data) -> list[list]:
    rows = [*data.rows, *([data.total] if data.total else [])]
    return [[str(getattr(row, name)) for name, _label in COMPLIANCE_COLUMNS] for row in rows]


class ComplianceView(LoginRequiredMixin, View):
    """The compliance dashboard per school (a school's staff: their school; officers: every school and the
    city total) for a year or half-year; ``?export=xlsx|csv`` downloads it."""

    def get(self, request):
        if not _sees_compliance(request.user):
            raise PermissionDenied(_("您没有权限查看实习合规看板。"))
        year, half = period_of(request)
        data = selectors.compliance(request.user, year, half)
        fmt = request.GET.get("export")
        if fmt in ("xlsx", "csv"):
            return export_compliance(data, fmt)
        years = list(range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1))
        return render(
            request,
            "cooperation/internships/compliance.html",
            {"data": data, "year": year, "half": half or "", "years": years, "columns": COMPLIANCE_COLUMNS},
        )


def export_compliance(data, fmt: str) -> HttpResponse:
    import tablib

    from xiaoqitong.core.imports import escape_formulae

    dataset = tablib.Dataset(headers=[label for _name, label in COMPLIANCE_COLUMNS])
    for row in compliance_table(data):
        dataset.append(row)
    dataset = escape_formulae(dataset)
    period = f"{data.year}" + (f"-H{data.half}" if data.half else "")
    name = f"internship-compliance-{period}.{fmt}"
    if fmt == "csv":
        body = "\ufeff" + dataset.export("csv")
        response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            dataset.export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("internships/mine/", MyInternshipView.as_view(), name="internship_mine"),
    path("internships/compliance/", ComplianceView.as_view(), name="internship_compliance"),
    *InternshipPlanViews.urls("internship-plans", NS),
    *PlacementViews.urls("placements", NS),
    *InternshipLogViews.urls("internship-logs", NS),
    *CheckInViews.urls("internship-check-ins", NS),
    *LeaveRequestViews.urls("internship-leave", NS),
    *InternshipSubsidyViews.urls("internship-subsidies", NS),
    *EvaluationViews.urls("internship-evaluations", NS),
]
