"""Pages of the outcomes of an event: intentions and the survey.

- 我的意向 (``/events/intentions/mine/``): for enterprise staff, school staff and students — the intentions
  waiting for the user's signature (签署 / 拒绝), the user's side's proposals (撤回) and every intention of
  the side (filter, export), the events where the side may propose (发起意向), and the surveys still to
  answer;
- an intention (``/events/intentions/<id>/``): its parties and content, what it became (the application or
  the agreement draft, linked), and the steps the user may take;
- proposing (``/events/<event>/intentions/propose/``): a job intention and, for HR and school
  administrators, a cooperation intention, with the choices narrowed to what the side may pick at the event;
- an event's intentions (``/events/<event>/intentions/``), for its organizer: counts by kind and status, the
  signed share, what the signed intentions became (applications by status, agreements by status), the list
  and its export (``?export=xlsx|csv``);
- the survey (``/events/<event>/survey/``): the form for the sides that took part, once the event has ended;
  its summary for the organizer (``/events/<event>/survey/summary/``: averages, counts, response rate by kind
  of participant, the comments, export of the answers).

Every write goes through ``services.outcomes``.
"""

import tablib
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from xiaoqitong.cooperation.models import Agreement
from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.views import PostStepView, add_form_errors
from xiaoqitong.enterprises.models import Application

from ..choices import EventStatus, IntentionKind, IntentionStatus, RegistrationStatus
from ..filtersets.outcomes import IntentionFilterSet
from ..forms.outcomes import CooperationIntentionForm, DeclineForm, JobIntentionForm, SurveyForm
from ..models import SurveyResponse
from ..policies.outcomes import (
    ENTERPRISE,
    SCHOOL,
    answers_for,
    may_sign,
    may_view_event_intentions,
    may_view_my_intentions,
    may_view_survey_summary,
    may_withdraw,
    proposer_side,
    proposing_side,
)
from ..policies.registrations import is_organizer, own_registration
from ..selectors import outcomes as selectors
from ..selectors.registrations import event_for
from ..services import outcomes as services
from ..tables.outcomes import IntentionTable, SurveyResponseTable, outcome_text, parties_text

PER_PAGE = 50


def _side_labels() -> dict:
    return {ENTERPRISE: _("企业"), SCHOOL: _("学校"), "student": _("学生")}


def _refusal(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("您没有权限执行此操作。")


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- exports -----------------------------------------------------------------------------------------------
def intentions_dataset(intentions) -> tablib.Dataset:
    """One row per intention (the organizer's export of an event, a side's export of 我的意向)."""
    out = tablib.Dataset(
        headers=[
            "活动",
            "意向类型",
            "企业",
            "统一社会信用代码",
            "岗位",
            "学生",
            "学校",
            "开设专业",
            "合作形式",
            "计划人数",
            "意向内容",
            "状态",
            "发起时间",
            "签署时间",
            "转化",
        ]
    )
    for i in intentions:
        job = i.kind == IntentionKind.JOB
        school = i.student.school if job else i.school_major.school
        out.append(
            [
                i.event.title,
                _("求职意向") if job else _("合作意向"),
                i.enterprise.name,
                i.enterprise.credit_code,
                i.position.title if job else "",
                i.student.name if job else "",
                school.name,
                "" if job else f"{i.school_major.major.name}（{i.school_major.major.code}）",
                "" if job else i.get_agreement_kind_display(),
                "" if job else i.planned_students,
                i.note,
                i.get_status_display(),
                when_text(i.created_at),
                when_text(i.signed_at),
                str(outcome_text(i)),
            ]
        )
    return out


def survey_dataset(responses) -> tablib.Dataset:
    out = tablib.Dataset(
        headers=[
            "活动",
            "参与方类别",
            "参与方",
            "总体满意度",
            "对接成效",
            "愿意再次参加",
            "意见建议",
            "填写时间",
        ]
    )
    for r in responses:
        out.append(
            [
                r.event.title,
                r.registration.get_kind_display(),
                r.registration.participant_name,
                r.satisfaction,
                r.usefulness,
                _("是") if r.would_return else _("否"),
                r.comment,
                when_text(r.created_at),
            ]
        )
    return out


# --- 我的意向 --------------------------------------------------------------------------------------------
class MyIntentionsView(LoginRequiredMixin, View):
    """GET /events/intentions/mine/ (``?export=xlsx|csv`` with the filters)."""

    def get(self, request):
        user = request.user
        if not may_view_my_intentions(user):
            raise PermissionDenied(_("“我的意向”面向企业、学校和学生。"))
        qs = selectors.my_intentions(user)
        filterset = IntentionFilterSet(request.GET or None, queryset=qs, request=request)
        filtered = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
        if request.GET.get("export"):
            return dataset_response(
                intentions_dataset(filtered),
                request.GET["export"],
                _("我的意向"),
                request.GET.get("encoding", "utf-8"),
            )
        waiting = [
            i
            for i in qs.filter(status=IntentionStatus.PROPOSED)
            if may_sign(user, i) or may_withdraw(user, i)
        ]
        for intention in waiting:
            intention.to_sign = may_sign(user, intention)
            intention.parties = parties_text(intention)
        table = IntentionTable(filtered, request=request)
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        events = list(selectors.proposable_events(user)[:20])
        for event in events:
            event.propose_url = reverse("events:intention_propose", args=[event.pk])
        surveys = selectors.pending_surveys(user)
        return render(
            request,
            "events/outcomes/my_intentions.html",
            {
                "to_sign": [i for i in waiting if i.to_sign],
                "proposed": [i for i in waiting if not i.to_sign],
                "table": table,
                "filterset": filterset,
                "events": events,
                "surveys": surveys,
                "side": proposing_side(user),
                "decline_form": DeclineForm(),
                "here": request.get_full_path(),
            },
        )


# --- one intention -----------------------------------------------------------------------------------------
def _linked(user, intention) -> dict:
    """What the signed intention became, with a link when the user may open it (one query each)."""
    if intention.application_id:
        visible = Application.objects.restrict(user, "view").filter(pk=intention.application_id).exists()
        return {
            "label": _("求职申请"),
            "text": intention.application.get_status_display(),
            "url": _url("enterprises:application_detail", intention.application_id) if visible else "",
        }
    if intention.agreement_id:
        visible = Agreement.objects.restrict(user, "view").filter(pk=intention.agreement_id).exists()
        return {
            "label": _("合作协议"),
            "text": f"{intention.agreement.title}（{intention.agreement.get_status_display()}）",
            "url": _url("cooperation:agreement_detail", intention.agreement_id) if visible else "",
        }
    return {}


def intention_rows(intention) -> list[tuple[str, object]]:
    rows = [
        (_("活动"), intention.event.title),
        (_("意向类型"), intention.get_kind_display()),
        (_("企业"), intention.enterprise.name),
    ]
    if intention.kind == IntentionKind.JOB:
        rows += [
            (_("岗位"), intention.position.title),
            (_("学生"), f"{intention.student.name}（{intention.student.school.name}）"),
        ]
    else:
        major = intention.school_major
        rows += [
            (_("学校"), major.school.name),
            (_("开设专业"), f"{major.major.name}（{major.major.code}，{major.year}）"),
            (_("合作形式"), intention.get_agreement_kind_display()),
            (_("计划人数"), intention.planned_students),
        ]
    side = proposer_side(intention)
    rows += [
        (_("意向内容"), intention.note),
        (_("状态"), intention.get_status_display()),
        (_("发起方"), _side_labels().get(side, "")),
        (_("发起时间"), when_text(intention.created_at)),
        (_("签署时间"), when_text(intention.signed_at)),
    ]
    return rows


class IntentionDetailView(LoginRequiredMixin, View):
    """GET /events/intentions/<pk>/."""

    def get(self, request, pk):
        intention = selectors.intention_for(request.user, pk)
        user = request.user
        waiting = intention.status == IntentionStatus.PROPOSED
        return render(
            request,
            "events/outcomes/intention_detail.html",
            {
                "intention": intention,
                "event": intention.event,
                "current": _("签约意向"),
                "title": parties_text(intention),
                "rows": intention_rows(intention),
                "linked": _linked(user, intention),
                "can_sign": waiting and may_sign(user, intention),
                "can_withdraw": waiting and may_withdraw(user, intention),
                "decline_form": DeclineForm(),
                "organizer": is_organizer(user, intention.event),
            },
        )


class _IntentionStep(PostStepView):
    def post(self, request, pk):
        intention = selectors.intention_for(request.user, pk)
        return self.run(request, intention, lambda: self.step(request, intention))


class IntentionSignView(_IntentionStep):
    def step(self, request, intention):
        intention = services.intention_sign(actor=request.user, intention=intention)
        if intention.kind == IntentionKind.JOB:
            return _("已签署：已转为投递“%(title)s”的求职申请。") % {"title": intention.position.title}
        return _("已签署：已生成合作协议草稿“%(title)s”，请与对方完善后提交确认。") % {
            "title": intention.agreement.title
        }


class IntentionDeclineView(_IntentionStep):
    def step(self, request, intention):
        form = DeclineForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.intention_decline(actor=request.user, intention=intention, reason=reason)
        return _("已拒绝该意向，发起方会收到通知。")


class IntentionWithdrawView(_IntentionStep):
    def step(self, request, intention):
        services.intention_withdraw(actor=request.user, intention=intention)
        return _("已撤回该意向。")


# --- proposing ---------------------------------------------------------------------------------------------
class IntentionProposeView(LoginRequiredMixin, View):
    """GET/POST /events/<pk>/intentions/propose/ (POST ``kind=job|cooperation`` with the form's fields)."""

    def setup_forms(self, request, event, data=None, kind=None):
        user = request.user
        side = proposing_side(user)
        own = own_registration(user, event) if side else None
        forms = {}
        ready = (
            own is not None
            and own.status == RegistrationStatus.APPROVED
            and event.status == EventStatus.PUBLISHED
        )
        if ready and side in (ENTERPRISE, "student"):
            forms["job"] = JobIntentionForm(
                data if kind == IntentionKind.JOB else None, side=side, event=event, booth=own, prefix="job"
            )
        if ready and side in (ENTERPRISE, SCHOOL):
            forms["cooperation"] = CooperationIntentionForm(
                data if kind == IntentionKind.COOPERATION else None,
                side=side,
                event=event,
                school_id=user.school_id,
                prefix="coop",
            )
        return side, own, forms

    def render_page(self, request, event, side, own, forms, status=200):
        return render(
            request,
            "events/outcomes/propose.html",
            {
                "event": event,
                "current": _("发起签约意向"),
                "side": side,
                "own": own,
                "forms": forms,
                "job_form": forms.get("job"),
                "cooperation_form": forms.get("cooperation"),
            },
            status=status,
        )

    def get(self, request, pk):
        event = event_for(request.user, pk)
        side, own, forms = self.setup_forms(request, event)
        if side is None:
            raise PermissionDenied(_("签约意向由企业人事、学校管理员或学生发起。"))
        return self.render_page(request, event, side, own, forms)

    def post(self, request, pk):
        event = event_for(request.user, pk)
        kind = request.POST.get("kind", "")
        side, own, forms = self.setup_forms(request, event, request.POST, kind)
        if side is None:
            raise PermissionDenied(_("签约意向由企业人事、学校管理员或学生发起。"))
        form = forms.get("job" if kind == IntentionKind.JOB else "cooperation")
        if form is None:
            messages.error(request, _("贵方在本活动不能发起这类意向（须有已通过的报名）。"))
            return redirect(reverse("events:intention_propose", args=[event.pk]))
        if form.is_valid():
            data = form.cleaned_data
            try:
                intention = services.intention_propose(
                    actor=request.user,
                    event=event,
                    kind=kind,
                    position=data.get("position"),
                    student=data.get("student"),
                    checkin_code=(data.get("checkin_code") or "").strip(),
                    enterprise=data.get("enterprise"),
                    school_major=data.get("school_major"),
                    agreement_kind=data.get("agreement_kind", ""),
                    planned_students=data.get("planned_students"),
                    note=data.get("note", ""),
                )
            except PermissionDenied as exc:
                messages.error(request, _refusal(exc))
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("已发起意向，等待对方签署；对方已收到通知。"))
                return redirect(intention.get_absolute_url())
        return self.render_page(request, event, side, own, forms, status=400)


# --- an event's intentions (organizer) ---------------------------------------------------------------------
class EventIntentionsView(LoginRequiredMixin, View):
    """GET /events/<pk>/intentions/ (``?export=xlsx|csv``)."""

    def get(self, request, pk):
        event = event_for(request.user, pk)
        if not may_view_event_intentions(request.user, event):
            raise PermissionDenied(_("活动的签约意向统计由主办部门查看。"))
        qs = selectors.event_intentions(event)
        filterset = IntentionFilterSet(request.GET or None, queryset=qs, request=request)
        filtered = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
        if request.GET.get("export"):
            name = _("签约意向") + f"-{event.title}"
            return dataset_response(
                intentions_dataset(filtered),
                request.GET["export"],
                name,
                request.GET.get("encoding", "utf-8"),
            )
        lines = selectors.intention_report(qs)
        for line in lines:
            labels = selectors.outcome_labels(line.kind)
            line.outcome_rows = [
                (labels.get(k, k), n) for k, n in sorted(line.outcomes.items(), key=lambda kv: -kv[1])
            ]
            line.status_rows = [
                (label, line.by_status.get(value, 0)) for value, label in IntentionStatus.choices
            ]
        table = IntentionTable(filtered, request=request, exclude=("event",))
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        return render(
            request,
            "events/outcomes/event_intentions.html",
            {
                "event": event,
                "current": _("签约意向"),
                "lines": lines,
                "table": table,
                "filterset": filterset,
            },
        )


# --- the survey --------------------------------------------------------------------------------------------
class SurveyView(LoginRequiredMixin, View):
    """GET/POST /events/<pk>/survey/: the answering side's form (or its answer, or why it cannot answer)."""

    def context(self, request, event, form=None):
        user = request.user
        registration = own_registration(user, event)
        may_answer = registration is not None and answers_for(user, registration)
        answer = (
            SurveyResponse.objects.filter(registration_id=registration.pk).first() if may_answer else None
        )
        return {
            "event": event,
            "current": _("活动问卷"),
            "registration": registration if may_answer else None,
            "answer": answer,
            "ended": timezone.now() >= event.ends_at,
            "approved": may_answer and registration.status == RegistrationStatus.APPROVED,
            "form": form or SurveyForm(),
            "organizer": may_view_survey_summary(user, event),
        }

    def get(self, request, pk):
        event = event_for(request.user, pk)
        return render(request, "events/outcomes/survey.html", self.context(request, event))

    def post(self, request, pk):
        event = event_for(request.user, pk)
        form = SurveyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.survey_response_submit(
                    actor=request.user,
                    event=event,
                    satisfaction=data["satisfaction"],
                    usefulness=data["usefulness"],
                    would_return=data["would_return"],
                    comment=data["comment"],
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _refusal(exc))
                return redirect(reverse("events:event_survey", args=[event.pk]))
            messages.success(request, _("感谢填写！问卷已提交。"))
            return redirect(reverse("events:event_survey", args=[event.pk]))
        return render(request, "events/outcomes/survey.html", self.context(request, event, form), status=400)


class SurveySummaryView(LoginRequiredMixin, View):
    """GET /events/<pk>/survey/summary/ (``?export=xlsx|csv``: the answers)."""

    def get(self, request, pk):
        event = event_for(request.user, pk)
        if not may_view_survey_summary(request.user, event):
            raise PermissionDenied(_("活动问卷汇总由主办部门查看。"))
        responses = selectors.survey_responses(event)
        if request.GET.get("export"):
            name = _("活动问卷") + f"-{event.title}"
            return dataset_response(
                survey_dataset(responses.select_related("event")),
                request.GET["export"],
                name,
                request.GET.get("encoding", "utf-8"),
            )
        table = SurveyResponseTable(responses, request=request)
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        return render(
            request,
            "events/outcomes/survey_summary.html",
            {
                "event": event,
                "current": _("问卷汇总"),
                "summary": selectors.survey_summary(event),
                "table": table,
                "ended": timezone.now() >= event.ends_at,
            },
        )


urlpatterns = [
    path("intentions/mine/", MyIntentionsView.as_view(), name="intentions_mine"),
    path("intentions/<int:pk>/", IntentionDetailView.as_view(), name="intention_detail"),
    path("intentions/<int:pk>/sign/", IntentionSignView.as_view(), name="intention_sign"),
    path("intentions/<int:pk>/decline/", IntentionDeclineView.as_view(), name="intention_decline"),
    path("intentions/<int:pk>/withdraw/", IntentionWithdrawView.as_view(), name="intention_withdraw"),
    path("<int:pk>/intentions/", EventIntentionsView.as_view(), name="event_intentions"),
    path("<int:pk>/intentions/propose/", IntentionProposeView.as_view(), name="intention_propose"),
    path("<int:pk>/survey/", SurveyView.as_view(), name="event_survey"),
    path("<int:pk>/survey/summary/", SurveySummaryView.as_view(), name="survey_summary"),
]
