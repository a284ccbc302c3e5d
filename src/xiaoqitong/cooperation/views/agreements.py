"""Pages of agreements, their students and change requests: the generic list/detail/edit pages (ModelViews)
with the workflow's steps as POST forms on the detail pages; the fulfilment table (per school, per
enterprise, the city's); and a student's "我的校企合作" with confirm/decline buttons."""

import tablib
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_tables2 import RequestConfig

from xiaoqitong.core.formats import day_text, rate, when_text
from xiaoqitong.core.imports import export_response
from xiaoqitong.core.views import PostStepView
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
    confirm_deadline_passed,
    may_read_fulfilment,
    member_steps,
)
from ..selectors import agreements as selectors
from ..services import agreements as services
from ..tables import agreements as tables


def _describe(agreement) -> str:
    return f"{agreement.title}（{agreement.school.name} · {agreement.enterprise.name}）"


def _approval(by, at) -> str:
    return f"{by}（{when_text(at)}）" if at else _("未确认")


# --- agreements --------------------------------------------------------------------------------------------
class AgreementViews(AppModelViews):
    model = Agreement
    filterset = filtersets.AgreementFilterSet
    table = tables.AgreementTable
    form = forms.AgreementForm
    select_related = ("school", "enterprise", "school_major__major")
    prefetch_related = ("positions",)
    detail_template = "cooperation/agreements/agreement_detail.html"

    create_service = staticmethod(services.agreement_create)
    update_service = staticmethod(services.agreement_update)
    delete_service = staticmethod(services.agreement_delete)

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
            (_("期限"), f"{day_text(obj.start_date)} 至 {day_text(obj.end_date)}"),
            (_("学生确认截止日期"), day_text(obj.confirm_deadline)),
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
        invite_form = None
        deadline_passed = confirm_deadline_passed(obj)
        if "invite" in steps:
            steps.remove("invite")
            if not deadline_passed:
                invite_form = forms.InviteForm(agreement=obj)
        return {
            "steps": [(s, STEP_LABELS[s]) for s in steps],
            "members": members,
            "invite_form": invite_form,
            "deadline_passed": deadline_passed,
            "returned_note": selectors.return_note(obj),
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
                for step in AgreementStepView.SERVICES
            ],
        ]


class _StepView(PostStepView):
    """POST one step on an object the user sees (another organization's: 404). ``act`` calls the service and
    returns the message of success; a refusal is shown instead."""

    model: type[Model]
    select_related: tuple[str, ...] = ()

    def act(self, request, obj, **kwargs) -> str:
        raise NotImplementedError

    def post(self, request, pk, **kwargs):
        visible = self.model.objects.restrict(request.user, "view").select_related(*self.select_related)
        obj = get_object_or_404(visible, pk=pk)
        return self.run(request, obj, lambda: self.act(request, obj, **kwargs))


class AgreementStepView(_StepView):
    """POST …/agreements/<pk>/<step>/: propose, approve, return and cancel (a note required), end."""

    model = Agreement
    SERVICES = {
        "propose": services.agreement_propose,
        "approve": services.agreement_approve,
        "return": services.agreement_return,
        "end": services.agreement_end,
        "cancel": services.agreement_cancel,
    }
    WITH_NOTE = {"return", "end", "cancel"}
    DONE = {
        "propose": gettext_lazy("已提交对方确认。"),
        "approve": gettext_lazy("已确认协议。"),
        "return": gettext_lazy("已退回修改。"),
        "end": gettext_lazy("协议已结束。"),
        "cancel": gettext_lazy("协议已终止。"),
    }

    def act(self, request, agreement, step):
        extra = {"note": (request.POST.get("note") or "").strip()[:2000]} if step in self.WITH_NOTE else {}
        agreement = self.SERVICES[step](actor=request.user, agreement=agreement, **extra)
        if step == "approve" and agreement.status == AgreementStatus.ACTIVE:
            return _("双方均已确认，协议开始执行，学校现在可以邀请学生。")
        return str(self.DONE[step])


class InviteView(_StepView):
    """POST …/agreements/<pk>/invite/: students chosen from the list and/or 学号."""

    model = Agreement
    select_related = ("school_major",)

    def act(self, request, agreement):
        form = forms.InviteForm(request.POST, agreement=agreement)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        invited = services.member_invite(
            actor=request.user,
            agreement=agreement,
            students=form.cleaned_data["students"],
            student_nos=form.cleaned_data["student_nos"],
        )
        return _("已邀请 %(n)s 名学生，请提醒他们按时确认。") % {"n": len(invited)}


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
                rate(a.confirmed, a.planned_headcount),
                rate(a.hired, a.graduates),
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
                "deadline": day_text(m.agreement.confirm_deadline),
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
    def detail_rows(cls, obj, user):
        return [
            (_("学生"), f"{obj.student.name}（{obj.student.student_no}）"),
            (_("协议"), obj.agreement),
            (_("学校"), obj.agreement.school),
            (_("企业"), obj.agreement.enterprise),
            (_("确认截止日期"), day_text(obj.agreement.confirm_deadline)),
            (_("状态"), obj.get_status_display()),
            (_("确认时间"), when_text(obj.responded_at)),
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
            "changes": AgreementChange.objects.restrict(request.user, "view")
            .filter(member=obj)
            .select_related("to_agreement")
            .order_by("-created_at"),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/<int:pk>/respond/", RespondView.as_view(), name="agreementmember_respond"),
            path(f"{prefix}/<int:pk>/leave/", LeaveView.as_view(), name="agreementmember_leave"),
        ]


class RespondView(_StepView):
    """POST …/agreement-members/<pk>/respond/ with ``accept`` = 1 (confirm) or 0 (decline); back to ``next``
    (the student's own page) when the form sends it."""

    model = AgreementMember

    def act(self, request, member):
        accept = request.POST.get("accept") == "1"
        services.member_respond(actor=request.user, member=member, accept=accept)
        return _("已确认参加。") if accept else _("已拒绝。")


class LeaveView(_StepView):
    model = AgreementMember

    def act(self, request, member):
        services.member_leave(actor=request.user, member=member, note=request.POST.get("note", ""))
        return _("已办理退出。")


# --- change requests ---------------------------------------------------------------------------------------
class AgreementChangeViews(AppModelViews):
    model = AgreementChange
    filterset = filtersets.AgreementChangeFilterSet
    table = tables.AgreementChangeTable
    form = forms.AgreementChangeForm
    importable = False
    select_related = (
        "member__student",
        "member__agreement__school",
        "member__agreement__enterprise",
        "to_agreement__school",
        "to_agreement__enterprise",
    )
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
            (_("申请时间"), when_text(obj.created_at)),
            (_("状态"), obj.get_status_display()),
            (_("办结时间"), when_text(obj.decided_at)),
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


class DecideView(_StepView):
    """POST …/agreement-changes/<pk>/decide/ with ``approve`` = 1 or 0 and a ``note`` (required to reject)."""

    model = AgreementChange

    def act(self, request, change):
        approve = request.POST.get("approve") == "1"
        change = services.agreement_change_decide(
            actor=request.user, change=change, approve=approve, note=request.POST.get("note", "")
        )
        return {
            "approved": _("各方均已同意，学生已转入新协议。"),
            "rejected": _("已驳回变更申请。"),
        }.get(change.status, _("已同意，等待其他各方审批。"))


class WithdrawView(_StepView):
    model = AgreementChange

    def act(self, request, change):
        services.agreement_change_withdraw(actor=request.user, change=change)
        return _("已撤回变更申请。")


urlpatterns = [
    *AgreementViews.urls("agreements", "cooperation"),
    *AgreementMemberViews.urls("agreement-members", "cooperation"),
    *AgreementChangeViews.urls("agreement-changes", "cooperation"),
]
