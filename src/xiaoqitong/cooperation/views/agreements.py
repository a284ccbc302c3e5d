"""Pages of agreements, their students and change requests: the generic list/detail/edit pages (ModelViews)
with the workflow's steps as POST forms on the detail pages; the fulfilment table (per school, per
enterprise, the city's); and a student's "我的校企合作" with confirm/decline buttons."""

import tablib
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_tables2 import RequestConfig

from xiaoqitong.core.imports import export_response
from xiaoqitong.core.models import AuditLog
from xiaoqitong.enterprises.views import AppModelViews

from ..choices import AgreementStatus
from ..filtersets import agreements as filtersets
from ..forms import agreements as forms
from ..models import Agreement, AgreementChange, AgreementMember
from ..policies.agreements import (
    ENTERPRISE,
    SCHOOL,
    STEP_LABELS,
    agreement_steps,
    change_awaits,
    change_may_withdraw,
    change_parties,
    may_read_fulfilment,
    member_steps,
)
from ..selectors import agreements as selectors
from ..services import agreements as services
from ..tables import agreements as tables


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _describe(agreement) -> str:
    return f"{agreement.title}（{agreement.school.name} · {agreement.enterprise.name}）"


def _approval(by, at) -> str:
    return f"{by}（{_when(at)}）" if at else _("未确认")


# --- agreements --------------------------------------------------------------------------------------------
class AgreementViews(AppModelViews):
    model = Agreement
    filterset = filtersets.AgreementFilterSet
    table = tables.AgreementTable
    form = forms.AgreementForm
    select_related = ("school", "enterprise", "school_major__major")
    prefetch_related = ("positions",)
    detail_template = "cooperation/agreements/agreement_detail.html"

    @classmethod
    def create(cls, *, actor, data):
        return services.agreement_create(actor=actor, data=data)

    @classmethod
    def update(cls, *, actor, instance, data):
        return services.agreement_update(actor=actor, instance=instance, data=data)

    @classmethod
    def delete(cls, *, actor, instance):
        return services.agreement_delete(actor=actor, instance=instance)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("合作形式"), obj.get_kind_display()),
            (_("学校"), obj.school),
            (_("企业"), obj.enterprise),
            (_("专业"), f"{obj.school_major.major.name}（{obj.school_major.major.code}）"),
            (_("年级"), obj.cohort),
            (_("计划人数"), obj.planned_headcount),
            (_("对应岗位"), "、".join(p.title for p in obj.positions.all())),
            (_("期限"), f"{_day(obj.start_date)} 至 {_day(obj.end_date)}"),
            (_("学生确认截止日期"), _day(obj.confirm_deadline)),
            (_("培养方案"), obj.training_plan),
            (_("成本分担"), obj.cost_sharing),
            (_("状态"), obj.get_status_display()),
            (_("学校确认"), _approval(obj.school_approved_by, obj.school_approved_at)),
            (_("企业确认"), _approval(obj.enterprise_approved_by, obj.enterprise_approved_at)),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        steps = agreement_steps(user, obj)
        members = (
            AgreementMember.objects.restrict(user, "view")
            .filter(agreement=obj)
            .select_related("student")
            .order_by("status", "student__student_no")
        )
        returned = ""
        if obj.status == AgreementStatus.DRAFT:
            last = (
                AuditLog.objects.filter(
                    content_type__app_label="cooperation",
                    content_type__model="agreement",
                    object_id=str(obj.pk),
                    verb__in=["agreement_return", "agreement_propose"],
                )
                .order_by("-id")
                .first()
            )
            if last is not None and last.verb == "agreement_return":
                returned = (last.changes or {}).get("note", "")
        invite_form = None
        deadline_passed = bool(obj.confirm_deadline) and obj.confirm_deadline < timezone.localdate()
        if "invite" in steps:
            steps.remove("invite")
            if not deadline_passed:
                invite_form = forms.InviteForm(agreement=obj)
        return {
            "steps": [(s, STEP_LABELS[s]) for s in steps],
            "members": members,
            "invite_form": invite_form,
            "deadline_passed": deadline_passed,
            "returned_note": returned,
            "fulfilment": selectors.fulfilment_of(obj) if obj.status != AgreementStatus.DRAFT else None,
            "members_url": f"{AgreementMemberViews.url_for('list')}?agreement={obj.pk}",
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/fulfilment/", FulfilmentView.as_view(), name="agreement_fulfilment"),
            path(f"{prefix}/mine/", MyAgreementsView.as_view(), name="my_agreements"),
            path(f"{prefix}/<int:pk>/invite/", InviteView.as_view(), name="agreement_invite"),
            *[
                path(
                    f"{prefix}/<int:pk>/{step}/",
                    AgreementStepView.as_view(),
                    {"step": step},
                    name=f"agreement_{step}",
                )
                for step in ("propose", "approve", "return", "end", "cancel")
            ],
        ]


class _PostView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def done(self, request, obj, message: str):
        messages.success(request, message)
        return redirect(obj.get_absolute_url())

    def refused(self, request, obj, exc):
        messages.error(request, "；".join(exc.messages) if hasattr(exc, "messages") else str(exc))
        return redirect(obj.get_absolute_url())


class AgreementStepView(_PostView):
    """POST …/agreements/<pk>/<step>/: propose, approve, return and cancel (a note required), end."""

    DONE = {
        "propose": gettext_lazy("已提交对方确认。"),
        "approve": gettext_lazy("已确认协议。"),
        "return": gettext_lazy("已退回修改。"),
        "end": gettext_lazy("协议已结束。"),
        "cancel": gettext_lazy("协议已终止。"),
    }

    def post(self, request, pk, step):
        agreement = get_object_or_404(Agreement.objects.restrict(request.user, "view"), pk=pk)
        note = (request.POST.get("note") or "").strip()[:2000]
        call = {
            "propose": lambda: services.agreement_propose(actor=request.user, agreement=agreement),
            "approve": lambda: services.agreement_approve(actor=request.user, agreement=agreement),
            "return": lambda: services.agreement_return(actor=request.user, agreement=agreement, note=note),
            "end": lambda: services.agreement_end(actor=request.user, agreement=agreement, note=note),
            "cancel": lambda: services.agreement_cancel(actor=request.user, agreement=agreement, note=note),
        }[step]
        try:
            agreement = call()
        except (ValidationError, PermissionDenied) as exc:
            return self.refused(request, agreement, exc)
        message = str(self.DONE[step])
        if step == "approve" and agreement.status == AgreementStatus.ACTIVE:
            message = _("双方均已确认，协议开始执行，学校现在可以邀请学生。")
        return self.done(request, agreement, message)


class InviteView(_PostView):
    """POST …/agreements/<pk>/invite/: students chosen from the list and/or 学号."""

    def post(self, request, pk):
        agreement = get_object_or_404(
            Agreement.objects.restrict(request.user, "view").select_related("school_major"), pk=pk
        )
        form = forms.InviteForm(request.POST, agreement=agreement)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect(agreement.get_absolute_url())
        try:
            invited = services.member_invite(
                actor=request.user,
                agreement=agreement,
                students=form.cleaned_data["students"],
                student_nos=form.cleaned_data["student_nos"],
            )
        except (ValidationError, PermissionDenied) as exc:
            return self.refused(request, agreement, exc)
        return self.done(
            request, agreement, _("已邀请 %(n)s 名学生，请提醒他们按时确认。") % {"n": len(invited)}
        )


class _FulfilmentExport:
    """The fulfilment table as a spreadsheet (``export_response`` escapes formulas)."""

    HEADERS = [
        "协议编号",
        "协议名称",
        "合作形式",
        "学校代码",
        "学校",
        "企业统一社会信用代码",
        "企业",
        "专业",
        "年级",
        "状态",
        "计划人数",
        "已确认人数",
        "到位率（%）",
        "已毕业人数",
        "本企业就业人数",
        "毕业即就业率（%）",
    ]

    def export(self, queryset):
        data = tablib.Dataset(headers=self.HEADERS)
        for a in queryset:
            fill, hired = (
                selectors.rate(a.confirmed, a.planned_headcount),
                selectors.rate(a.hired, a.graduates),
            )
            data.append(
                [
                    a.pk,
                    a.title,
                    a.get_kind_display(),
                    a.school.code,
                    a.school.name,
                    a.enterprise.credit_code,
                    a.enterprise.name,
                    a.school_major.major.name,
                    a.cohort,
                    a.get_status_display(),
                    a.planned_headcount,
                    a.confirmed,
                    "" if fill is None else str(fill),
                    a.graduates,
                    a.hired,
                    "" if hired is None else str(hired),
                ]
            )
        return data


class FulfilmentView(LoginRequiredMixin, View):
    """GET …/agreements/fulfilment/: places filled against the plan and 毕业即就业 per agreement — a school's
    own, an enterprise's own, the city's for officers — with filters and an xlsx/csv export."""

    def get(self, request):
        if not may_read_fulfilment(request.user):
            raise PermissionDenied(_("您没有权限查看履约统计。"))
        qs = selectors.fulfilment_agreements(request.user)
        filterset = filtersets.FulfilmentFilterSet(request.GET or None, queryset=qs, request=request)
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
        fmt = request.GET.get("export")
        if fmt:
            return export_response(
                _FulfilmentExport(), qs, fmt, _("校企合作协议履约统计"), request.GET.get("encoding", "utf-8")
            )
        table = tables.FulfilmentTable(qs, request=request)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        return render(
            request,
            "cooperation/agreements/fulfilment.html",
            {"table": table, "filterset": filterset, "totals": selectors.fulfilment_totals(qs)},
        )


class MyAgreementsView(LoginRequiredMixin, View):
    """GET …/agreements/mine/: a student's places, with confirm/decline buttons and the deadline."""

    def get(self, request):
        places = list(selectors.my_places(request.user))
        rows = [
            {
                "member": m,
                "open": selectors.place_is_open(m),
                "steps": member_steps(request.user, m),
                "deadline": _day(m.agreement.confirm_deadline),
            }
            for m in places
        ]
        return render(request, "cooperation/agreements/my_agreements.html", {"rows": rows})


# --- members -----------------------------------------------------------------------------------------------
class AgreementMemberViews(AppModelViews):
    model = AgreementMember
    filterset = filtersets.AgreementMemberFilterSet
    table = tables.AgreementMemberTable
    form = None  # places are offered by invitation or import, and changed by their steps only
    select_related = ("student", "agreement__enterprise", "agreement__school")
    detail_template = "cooperation/agreements/agreementmember_detail.html"

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("student", "agreement__school", "agreement__enterprise")

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("学生"), f"{obj.student.name}（{obj.student.student_no}）"),
            (_("协议"), obj.agreement),
            (_("学校"), obj.agreement.school),
            (_("企业"), obj.agreement.enterprise),
            (_("确认截止日期"), _day(obj.agreement.confirm_deadline)),
            (_("状态"), obj.get_status_display()),
            (_("确认时间"), _when(obj.responded_at)),
            (_("备注"), obj.note),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        steps = member_steps(request.user, obj)
        return {
            "steps": steps,
            "agreement_url": obj.agreement.get_absolute_url(),
            "change_form": forms.AgreementChangeForm(user=request.user, initial={"member": obj.pk})
            if "change" in steps
            else None,
            "change_add_url": AgreementChangeViews.url_for("add"),
            "changes": obj.changes.select_related("to_agreement").order_by("-created_at"),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/<int:pk>/respond/", RespondView.as_view(), name="agreementmember_respond"),
            path(f"{prefix}/<int:pk>/leave/", LeaveView.as_view(), name="agreementmember_leave"),
        ]


class RespondView(_PostView):
    """POST …/agreement-members/<pk>/respond/ with ``accept`` = 1 (confirm) or 0 (decline)."""

    def post(self, request, pk):
        member = get_object_or_404(AgreementMember.objects.restrict(request.user, "view"), pk=pk)
        accept = request.POST.get("accept") == "1"
        try:
            services.member_respond(actor=request.user, member=member, accept=accept)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("已确认参加。") if accept else _("已拒绝。"))
        target = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = member.get_absolute_url()
        return redirect(target)


class LeaveView(_PostView):
    def post(self, request, pk):
        member = get_object_or_404(AgreementMember.objects.restrict(request.user, "view"), pk=pk)
        try:
            services.member_leave(actor=request.user, member=member, note=request.POST.get("note", ""))
        except (ValidationError, PermissionDenied) as exc:
            return self.refused(request, member, exc)
        return self.done(request, member, _("已办理退出。"))


# --- change requests ---------------------------------------------------------------------------------------
class AgreementChangeViews(AppModelViews):
    model = AgreementChange
    filterset = filtersets.AgreementChangeFilterSet
    table = tables.AgreementChangeTable
    form = forms.AgreementChangeForm
    importable = False
    select_related = ("member__student", "member__agreement", "to_agreement")
    detail_template = "cooperation/agreements/agreementchange_detail.html"

    @classmethod
    def create(cls, *, actor, data):
        return services.agreement_change_request(
            actor=actor,
            member=data["member"],
            to_agreement=data["to_agreement"],
            reason=data.get("reason", ""),
        )

    @classmethod
    def update(cls, *, actor, instance, data):
        raise ValidationError(_("变更申请提交后不能修改；如需更改，请撤回后重新申请。"))

    @classmethod
    def delete(cls, *, actor, instance):
        raise ValidationError(_("变更申请不能删除；待审批的申请可以撤回。"))

    @classmethod
    def base_queryset(cls):
        return (
            super()
            .base_queryset()
            .select_related(
                "member__agreement__school",
                "member__agreement__enterprise",
                "to_agreement__school",
                "to_agreement__enterprise",
            )
        )

    @classmethod
    def detail_rows(cls, obj, user):
        member = obj.member
        return [
            (_("学生"), f"{member.student.name}（{member.student.student_no}）"),
            (
                _("转出协议"),
                _describe(member.agreement),
            ),
            (
                _("转入协议"),
                _describe(obj.to_agreement),
            ),
            (_("变更理由"), obj.reason),
            (_("申请人"), obj.requested_by),
            (_("申请时间"), _when(obj.created_at)),
            (_("状态"), obj.get_status_display()),
            (_("办结时间"), _when(obj.decided_at)),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        decisions = obj.decisions or {}
        parties = []
        for key, org in change_parties(obj):
            decision = decisions.get(key)
            parties.append(
                {
                    "side": _("学校")
                    if key.startswith(SCHOOL)
                    else _("企业")
                    if key.startswith(ENTERPRISE)
                    else "",
                    "org": org,
                    "decision": decision,
                    "at": decision["at"][:16].replace("T", " ") if decision else "",
                }
            )
        return {
            "parties": parties,
            "can_decide": bool(change_awaits(request.user, obj)),
            "can_withdraw": change_may_withdraw(request.user, obj),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/<int:pk>/decide/", DecideView.as_view(), name="agreementchange_decide"),
            path(f"{prefix}/<int:pk>/withdraw/", WithdrawView.as_view(), name="agreementchange_withdraw"),
        ]


class DecideView(_PostView):
    """POST …/agreement-changes/<pk>/decide/ with ``approve`` = 1 or 0 and a ``note`` (required to reject)."""

    def post(self, request, pk):
        change = get_object_or_404(AgreementChange.objects.restrict(request.user, "view"), pk=pk)
        approve = request.POST.get("approve") == "1"
        try:
            change = services.agreement_change_decide(
                actor=request.user, change=change, approve=approve, note=request.POST.get("note", "")
            )
        except (ValidationError, PermissionDenied) as exc:
            return self.refused(request, change, exc)
        message = {
            "approved": _("各方均已同意，学生已转入新协议。"),
            "rejected": _("已驳回变更申请。"),
        }.get(change.status, _("已同意，等待其他各方审批。"))
        return self.done(request, change, message)


class WithdrawView(_PostView):
    def post(self, request, pk):
        change = get_object_or_404(AgreementChange.objects.restrict(request.user, "view"), pk=pk)
        try:
            services.agreement_change_withdraw(actor=request.user, change=change)
        except (ValidationError, PermissionDenied) as exc:
            return self.refused(request, change, exc)
        return self.done(request, change, _("已撤回变更申请。"))


urlpatterns = [
    *AgreementViews.urls("agreements", "cooperation"),
    *AgreementMemberViews.urls("agreement-members", "cooperation"),
    *AgreementChangeViews.urls("agreement-changes", "cooperation"),
]
