"""Pages of event types, events and registrations:

- event types (``/events/types/``): the generic list/detail/add/edit/delete/import/export pages (platform
  administrators write; everybody reads);
- events (``/events/``): the list with filters (type, year, status, phase, organizer), each event's phase
  (报名中 / 即将举行 / 已结束 …) and its places taken against capacity and booths, export; add/edit/delete
  for the organizer (an officer's event is their department's); an event's page shows, by role, the action
  that is the user's: 企业报名展位 (its own published positions), 学校报名代表团 (its own majors, the
  delegation's size) with 批量报名学生 (学号 list), 学生报名, their own registration with its pass and its
  cancellation; for the organizer publish, cancel (with a reason), the registrations by kind with the
  booths to approve (booth number) or decline (reason), and the export;
- registrations (``/events/registrations/``): the list (scoped: the organizer sees its events', each side
  its own), export (organizer), each registration's page with its steps;
- 我的活动 (``/events/mine/``): the registrations of the user's side, and its calendar (``/events/mine.ics``);
  one event's calendar (``/events/<id>/ics``).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core import ical
from xiaoqitong.core.formats import when_text
from xiaoqitong.core.models import AuditLog
from xiaoqitong.core.views import PostStepView, add_form_errors
from xiaoqitong.enterprises.views import AppModelViews

from ..choices import ACTIVE_REGISTRATION, EventStatus, ParticipantKind, RegistrationStatus
from ..filtersets.registrations import EventFilterSet, EventTypeFilterSet, RegistrationFilterSet
from ..forms.registrations import (
    ApproveForm,
    DeclineForm,
    EventForm,
    EventTypeForm,
    ReasonForm,
    RegisterForm,
    StudentBatchForm,
)
from ..models import Event, EventType, Registration
from ..policies.registrations import (
    SCHOOL_STAFF,
    is_organizer,
    may_cancel_registration,
    may_view_my_events,
    own_registration,
    registrant_kind,
)
from ..resources.registrations import REGISTRATION_EXPORT_PREFETCH, REGISTRATION_EXPORT_RELATED
from ..selectors import registrations as selectors
from ..services import registrations as services
from ..tables.registrations import EventTable, EventTypeTable, RegistrationTable, places_text

NAMESPACE = "events"
#: Students listed on an event's page for its organizer (the list page pages through all).
STUDENTS_SHOWN = 100


# --- event types -------------------------------------------------------------------------------------------
class EventTypeViews(AppModelViews):
    model = EventType
    filterset = EventTypeFilterSet
    table = EventTypeTable
    form = EventTypeForm
    create_service = staticmethod(services.eventtype_create)
    update_service = staticmethod(services.eventtype_update)
    delete_service = staticmethod(services.eventtype_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        seeded = obj.code in services.SEEDED_TYPES
        return [
            (_("代码"), obj.code),
            (_("名称"), obj.name),
            (_("对应指标"), obj.get_rule_key_display() or _("不考核，只统计")),
            (_("记录纪要与承诺事项"), obj.has_minutes),
            (_("排序"), obj.sort_order),
            (_("政策规定类型"), _("是（代码和对应指标不能修改，不能删除）") if seeded else _("否")),
            (_("活动场次"), obj.events.count()),
        ]


# --- events ------------------------------------------------------------------------------------------------
def _cancel_reason(event: Event) -> str:
    """The reason the organizer gave when cancelling ``event`` (kept in its audit record)."""
    entry = (
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Event),
            object_id=str(event.pk),
            verb="event_cancel",
        )
        .order_by("-time", "-pk")
        .first()
    )
    reason = (entry.changes.get("reason") or [None, ""])[1] if entry else ""
    return reason or ""


def why_not_register(event: Event, kind: str | None, now=None) -> str:
    """Why the user cannot register for ``event`` now ("" when they can), with the window or the numbers:
    what the page shows in place of the form (the service refuses the same)."""
    phase = selectors.phase(event, now)
    window = {
        "opens": when_text(event.registration_opens_at),
        "closes": when_text(event.registration_closes_at),
    }
    if phase == selectors.PHASE_DRAFT:
        return _("活动尚未发布。")
    if phase == selectors.PHASE_CANCELLED:
        return _("活动已取消。")
    if phase == selectors.PHASE_NOT_OPEN:
        return _("报名尚未开始：报名时间为 %(opens)s 至 %(closes)s。") % window
    if phase != selectors.PHASE_OPEN:
        return _("报名已截止：报名时间为 %(opens)s 至 %(closes)s。") % window
    if kind == ParticipantKind.STUDENT and event.capacity is not None:
        taken = getattr(event, "students_count", 0)
        if taken >= event.capacity:
            return _("学生名额已满：本活动限 %(capacity)s 人，已报名 %(taken)s 人。") % {
                "capacity": event.capacity,
                "taken": taken,
            }
    booths_full = event.booths is not None and getattr(event, "booths_count", 0) >= event.booths
    if kind == ParticipantKind.ENTERPRISE and booths_full:
        return _(
            "企业展位已满：本活动共 %(booths)s 个展位，已通过 %(approved)s 个、待审核 %(pending)s 个。"
        ) % {
            "booths": event.booths,
            "approved": getattr(event, "booths_approved", 0),
            "pending": getattr(event, "booths_pending", 0),
        }
    return ""


class EventViews(AppModelViews):
    model = Event
    filterset = EventFilterSet
    table = EventTable
    form = EventForm
    importable = False
    select_related = ("type", "organizer")
    detail_template = "events/registrations/event_detail.html"
    create_service = staticmethod(services.event_create)
    update_service = staticmethod(services.event_update)
    delete_service = staticmethod(services.event_delete)

    @classmethod
    def base_queryset(cls):
        # Explicit: a query with GROUP BY (the counts) does not take ``Meta.ordering``.
        return selectors.with_counts(super().base_queryset()).order_by("-starts_at", "pk")

    @classmethod
    def export_queryset(cls, qs):
        return selectors.with_counts(qs.select_related(*cls.select_related)).order_by("-starts_at", "pk")

    @classmethod
    def urls(cls, prefix: str, namespace: str) -> list:
        """The generic pages at the root of ``/events/`` (``/events/<pk>/``, ``/events/add/`` …)."""
        patterns = super().urls(prefix, namespace)
        cut = f"{prefix}/"
        return [path(str(p.pattern).removeprefix(cut), p.callback, name=p.name) for p in patterns]

    @classmethod
    def detail_rows(cls, obj, user):
        rows = [
            (_("活动类型"), obj.type),
            (_("主办部门"), obj.organizer),
            (_("地点"), obj.venue),
            (_("活动时间"), f"{when_text(obj.starts_at)} 至 {when_text(obj.ends_at)}"),
            (
                _("报名时间"),
                f"{when_text(obj.registration_opens_at)} 至 {when_text(obj.registration_closes_at)}",
            ),
            (_("学生报名"), places_text(obj.students_count, obj.capacity)),
            (
                _("企业展位"),
                _("%(taken)s（已通过 %(approved)s，待审核 %(pending)s）")
                % {
                    "taken": places_text(obj.booths_count, obj.booths),
                    "approved": obj.booths_approved,
                    "pending": obj.booths_pending,
                },
            ),
            (
                _("学校代表团"),
                _("%(n)s 个，共 %(people)s 人")
                % {"n": obj.schools_count, "people": obj.delegates_count or 0},
            ),
            (_("洽谈时段（分钟）"), obj.slot_minutes),
            (_("活动说明"), obj.description),
        ]
        if obj.status == EventStatus.CANCELLED:
            rows.append((_("取消原因"), _cancel_reason(obj)))
        return rows

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        label, css = selectors.phase_label(obj)
        kind = registrant_kind(user)
        own = own_registration(user, obj)
        holds = own is not None and own.status in ACTIVE_REGISTRATION
        organizer = is_organizer(user, obj)
        context = {
            "event": obj,
            "phase": selectors.phase(obj),
            "phase_label": label,
            "phase_css": css,
            "organizer": organizer,
            "kind": kind,
            "own": own,
            "own_holds": holds,
            "own_can_change": holds
            and own.kind == kind
            and not organizer
            and selectors.phase(obj) == selectors.PHASE_OPEN,
            "own_can_cancel": holds
            and may_cancel_registration(user, own)
            and obj.status == EventStatus.PUBLISHED,
            "ics_url": reverse(f"{NAMESPACE}:event_ics", kwargs={"pk": obj.pk}),
            "can_edit": organizer and obj.status != EventStatus.CANCELLED,
        }
        if kind and not holds:
            why = why_not_register(obj, kind)
            context["why_not"] = why
            if not why:
                context["register_form"] = RegisterForm(kind=kind, user=user)
                if own is not None and own.status == RegistrationStatus.DECLINED:
                    context["declined_before"] = own
        context["can_batch_students"] = (
            kind == ParticipantKind.SCHOOL and selectors.phase(obj) == selectors.PHASE_OPEN
        )
        if getattr(user, "role", "") in SCHOOL_STAFF and user.school_id:
            context["school_students"] = Registration.objects.filter(
                event=obj,
                kind=ParticipantKind.STUDENT,
                student__school_id=user.school_id,
                status__in=ACTIVE_REGISTRATION,
            ).count()
            context["school_students_url"] = (
                reverse(f"{NAMESPACE}:registration_list") + f"?event={obj.pk}&kind=student"
            )
        if organizer:
            lists = selectors.event_registrations(obj)
            students = lists[ParticipantKind.STUDENT]
            context |= {
                "booths": lists[ParticipantKind.ENTERPRISE],
                "delegations": lists[ParticipantKind.SCHOOL],
                "students": students[:STUDENTS_SHOWN],
                "students_more": max(len(students) - STUDENTS_SHOWN, 0),
                "students_total": len(students),
                "approve_form": ApproveForm(),
                "decline_form": DeclineForm(),
                "cancel_form": ReasonForm(),
                "registrations_url": reverse(f"{NAMESPACE}:registration_list") + f"?event={obj.pk}",
                "can_publish": obj.status == EventStatus.DRAFT,
                "can_cancel": obj.status == EventStatus.PUBLISHED
                and selectors.phase(obj) != selectors.PHASE_ENDED,
            }
        return context


class EventStepView(PostStepView):
    def event(self, request, pk) -> Event:
        return selectors.event_for(request.user, pk)


class EventPublishView(EventStepView):
    """POST /events/<pk>/publish/."""

    def post(self, request, pk):
        event = self.event(request, pk)
        return self.run(
            request,
            event,
            lambda: services.event_publish(actor=request.user, event=event),
            _("活动已发布，所有用户均可查看并在报名时间内报名。"),
        )


class EventCancelView(EventStepView):
    """POST /events/<pk>/cancel/ with a ``reason``."""

    def post(self, request, pk):
        event = self.event(request, pk)
        reason = request.POST.get("reason", "")
        return self.run(
            request,
            event,
            lambda: services.event_cancel(actor=request.user, event=event, reason=reason),
            _("活动已取消，已通知所有报名方。"),
        )


class RegisterView(LoginRequiredMixin, View):
    """GET/POST /events/<pk>/register/: the user's side registers (booth, delegation or self)."""

    def setup_page(self, request, pk):
        event = selectors.event_for(request.user, pk, counts=True)
        kind = registrant_kind(request.user)
        if kind is None:
            raise PermissionDenied(_("只有企业人事、学校管理员和学生可以报名活动。"))
        return event, kind

    def render_page(self, request, event, kind, form, status=200):
        return render(
            request,
            "events/registrations/register.html",
            {"event": event, "kind": kind, "form": form, "why_not": why_not_register(event, kind)},
            status=status,
        )

    def get(self, request, pk):
        event, kind = self.setup_page(request, pk)
        return self.render_page(request, event, kind, RegisterForm(kind=kind, user=request.user))

    def post(self, request, pk):
        event, kind = self.setup_page(request, pk)
        form = RegisterForm(request.POST, kind=kind, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                registration = services.registration_create(
                    actor=request.user,
                    event=event,
                    positions=data.get("positions") or [],
                    majors=data.get("majors") or [],
                    delegation_size=data.get("delegation_size"),
                    note=data.get("note", ""),
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                add_form_errors(form, exc)
            else:
                if registration.status == RegistrationStatus.PENDING:
                    messages.success(request, _("已提交展位申请，请等待主办部门审核；审核结果会通知您。"))
                else:
                    messages.success(request, _("报名成功。签到时请出示报名凭证上的二维码。"))
                return redirect(event.get_absolute_url())
        return self.render_page(request, event, kind, form, status=400)


class StudentBatchView(LoginRequiredMixin, View):
    """GET/POST /events/<pk>/register-students/: a school administrator registers students by 学号."""

    def setup_page(self, request, pk):
        event = selectors.event_for(request.user, pk, counts=True)
        if registrant_kind(request.user) != ParticipantKind.SCHOOL:
            raise PermissionDenied(_("只有学校管理员可以为本校学生批量报名。"))
        return event

    def render_page(self, request, event, form, status=200):
        return render(
            request,
            "events/registrations/students_batch.html",
            {"event": event, "form": form, "why_not": why_not_register(event, ParticipantKind.STUDENT)},
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(request, self.setup_page(request, pk), StudentBatchForm())

    def post(self, request, pk):
        event = self.setup_page(request, pk)
        form = StudentBatchForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = services.registration_students_create(
                    actor=request.user, event=event, student_numbers=form.cleaned_data["student_numbers"]
                )
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已为 %(created)s 名学生报名；%(skipped)s 名此前已报名，未重复报名。") % result,
                )
                return redirect(event.get_absolute_url())
        return self.render_page(request, event, form, status=400)


# --- registrations -----------------------------------------------------------------------------------------
class RegistrationViews(AppModelViews):
    model = Registration
    filterset = RegistrationFilterSet
    table = RegistrationTable
    importable = False
    select_related = selectors.REGISTRATION_RELATED
    prefetch_related = ("positions", "majors__major")
    detail_template = "events/registrations/registration_detail.html"

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related(*REGISTRATION_EXPORT_RELATED).prefetch_related(*REGISTRATION_EXPORT_PREFETCH)

    @classmethod
    def detail_rows(cls, obj, user):
        participant = obj.participant_name
        if obj.student_id:
            participant = f"{obj.student.name}（{obj.student.school.name}，学号 {obj.student.student_no}）"
        rows = [
            (_("活动"), obj.event),
            (_("活动时间"), f"{when_text(obj.event.starts_at)} 至 {when_text(obj.event.ends_at)}"),
            (_("参与方"), obj.get_kind_display()),
            (_("名称"), participant),
            (_("状态"), obj.get_status_display()),
        ]
        if obj.kind == ParticipantKind.ENTERPRISE:
            rows += [
                (_("展位号"), obj.booth_no),
                (_("携带岗位"), "、".join(p.title for p in obj.positions.all())),
            ]
        if obj.kind == ParticipantKind.SCHOOL:
            rows += [
                (_("推介专业"), "、".join(m.major.name for m in obj.majors.all())),
                (_("参会人数"), obj.delegation_size),
            ]
        if obj.decline_reason:
            rows.append((_("未通过原因"), obj.decline_reason))
        rows += [
            (_("备注"), obj.note),
            (_("报名时间"), when_text(obj.created_at)),
            (_("审核时间"), when_text(obj.decided_at)),
            (_("签到时间"), when_text(obj.checked_in_at)),
        ]
        return rows

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        organizer = is_organizer(user, obj.event)
        active = obj.status in ACTIVE_REGISTRATION and obj.event.status == EventStatus.PUBLISHED
        return {
            "registration": obj,
            "can_decide": organizer
            and obj.kind == ParticipantKind.ENTERPRISE
            and obj.status == RegistrationStatus.PENDING
            and obj.event.status != EventStatus.CANCELLED,
            "can_cancel": active and may_cancel_registration(user, obj),
            "approve_form": ApproveForm(),
            "decline_form": DeclineForm(),
            "cancel_form": ReasonForm(),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(
                f"{prefix}/<int:pk>/approve/", RegistrationApproveView.as_view(), name="registration_approve"
            ),
            path(
                f"{prefix}/<int:pk>/decline/", RegistrationDeclineView.as_view(), name="registration_decline"
            ),
            path(f"{prefix}/<int:pk>/cancel/", RegistrationCancelView.as_view(), name="registration_cancel"),
            path(f"{prefix}/<int:pk>/change/", RegistrationChangeView.as_view(), name="registration_change"),
        ]


class RegistrationStepView(PostStepView):
    def registration(self, request, pk) -> Registration:
        return selectors.registration_for(request.user, pk)


class RegistrationApproveView(RegistrationStepView):
    """POST /events/registrations/<pk>/approve/ with ``booth_no``."""

    def post(self, request, pk):
        registration = self.registration(request, pk)
        booth_no = request.POST.get("booth_no", "")
        return self.run(
            request,
            registration,
            lambda: services.registration_approve(
                actor=request.user, registration=registration, booth_no=booth_no
            ),
            _("已通过“%(name)s”的展位申请（展位号 %(no)s），已通知企业。")
            % {"name": registration.participant_name, "no": booth_no.strip()},
        )


class RegistrationDeclineView(RegistrationStepView):
    """POST /events/registrations/<pk>/decline/ with ``reason``."""

    def post(self, request, pk):
        registration = self.registration(request, pk)
        reason = request.POST.get("reason", "")
        return self.run(
            request,
            registration,
            lambda: services.registration_decline(
                actor=request.user, registration=registration, reason=reason
            ),
            _("已拒绝“%(name)s”的展位申请，已通知企业。") % {"name": registration.participant_name},
        )


class RegistrationCancelView(RegistrationStepView):
    """POST /events/registrations/<pk>/cancel/ with an optional ``reason``."""

    def post(self, request, pk):
        registration = self.registration(request, pk)
        reason = request.POST.get("reason", "")
        return self.run(
            request,
            registration,
            lambda: services.registration_cancel(
                actor=request.user, registration=registration, reason=reason
            ),
            _("已取消“%(name)s”的报名，名额已释放。") % {"name": registration.participant_name},
        )


class RegistrationChangeView(LoginRequiredMixin, View):
    """GET/POST /events/registrations/<pk>/change/: the registering side changes its positions, majors,
    delegation size or note while registration is open."""

    def setup_page(self, request, pk):
        registration = selectors.registration_for(request.user, pk)
        if registrant_kind(request.user) != registration.kind or is_organizer(
            request.user, registration.event
        ):
            raise PermissionDenied(_("只有报名方本人（单位）可以修改报名内容。"))
        return registration

    def render_page(self, request, registration, form, status=200):
        return render(
            request,
            "events/registrations/register.html",
            {
                "event": registration.event,
                "kind": registration.kind,
                "form": form,
                "registration": registration,
            },
            status=status,
        )

    def get(self, request, pk):
        registration = self.setup_page(request, pk)
        initial = {
            "positions": list(registration.positions.all()),
            "majors": list(registration.majors.all()),
            "delegation_size": registration.delegation_size,
            "note": registration.note,
        }
        form = RegisterForm(initial=initial, kind=registration.kind, user=request.user)
        return self.render_page(request, registration, form)

    def post(self, request, pk):
        registration = self.setup_page(request, pk)
        form = RegisterForm(request.POST, kind=registration.kind, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.registration_update(
                    actor=request.user,
                    registration=registration,
                    positions=data.get("positions") if "positions" in form.fields else None,
                    majors=data.get("majors") if "majors" in form.fields else None,
                    delegation_size=data.get("delegation_size"),
                    note=data.get("note", ""),
                )
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("报名内容已修改。"))
                return redirect(registration.event.get_absolute_url())
        return self.render_page(request, registration, form, status=400)


# --- 我的活动 and calendars ---------------------------------------------------------------------------------
class MyEventsView(LoginRequiredMixin, View):
    """GET /events/mine/: the registrations of the user's side (any status), newest events first."""

    def get(self, request):
        if not may_view_my_events(request.user):
            raise PermissionDenied(_("“我的活动”面向企业、学校和学生。"))
        rows = list(selectors.my_registrations(request.user)[:500])
        for row in rows:
            row.phase_label, row.phase_css = selectors.phase_label(row.event)
            row.can_cancel = (
                row.status in ACTIVE_REGISTRATION
                and row.event.status == EventStatus.PUBLISHED
                and selectors.phase(row.event) != selectors.PHASE_ENDED
                and may_cancel_registration(request.user, row)
            )
        return render(
            request,
            "events/registrations/my_events.html",
            {
                "rows": rows,
                "kind": registrant_kind(request.user),
                "ics_url": request.build_absolute_uri(reverse(f"{NAMESPACE}:my_events_ics")),
                "event_list_url": reverse(f"{NAMESPACE}:event_list") + f"?phase={selectors.PHASE_OPEN}",
            },
        )


def _host(request) -> str:
    return request.get_host().split(":")[0] or "xiaoqitong"


def _calendar_event(request, event: Event, registration: Registration | None = None) -> ical.CalendarEvent:
    lines = [f"{event.type.name} · {_('主办')}：{event.organizer.name}"]
    summary = event.title
    status = "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED"
    uid = f"event-{event.pk}@{_host(request)}"
    if registration is not None:
        uid = f"event-{event.pk}-registration-{registration.pk}@{_host(request)}"
        lines.append(
            _("报名：%(who)s（%(status)s）")
            % {"who": registration.participant_name, "status": registration.get_status_display()}
        )
        if registration.booth_no:
            summary = f"{event.title}（{_('展位')} {registration.booth_no}）"
            lines.append(_("展位号：%(no)s") % {"no": registration.booth_no})
        if registration.status == RegistrationStatus.PENDING:
            status = "TENTATIVE"
    if event.description:
        lines.append(event.description)
    return ical.CalendarEvent(
        uid=uid,
        start=event.starts_at,
        end=event.ends_at,
        summary=summary,
        location=event.venue,
        description="\n".join(lines),
        url=request.build_absolute_uri(event.get_absolute_url()),
        status=status,
    )


def _ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class EventIcsView(LoginRequiredMixin, View):
    """GET /events/<pk>/ics: one event as an iCalendar file (anyone who may read the event)."""

    def get(self, request, pk):
        event = selectors.event_for(request.user, pk)
        body = ical.calendar(
            event.title, [_calendar_event(request, event)], prodid="-//XiaoQiTong//Events//ZH"
        )
        return _ics_response(body, f"event-{event.pk}.ics")


class MyEventsIcsView(LoginRequiredMixin, View):
    """GET /events/mine.ics: the events the user's side holds a place at (pending or approved)."""

    def get(self, request):
        if not may_view_my_events(request.user):
            raise PermissionDenied(_("“我的活动”面向企业、学校和学生。"))
        rows = selectors.my_calendar_registrations(request.user)
        body = ical.calendar(
            _("我的产教活动"),
            [_calendar_event(request, r.event, r) for r in rows],
            prodid="-//XiaoQiTong//Events//ZH",
        )
        return _ics_response(body, "my-events.ics")


urlpatterns = [
    path("mine/", MyEventsView.as_view(), name="my_events"),
    path("mine.ics", MyEventsIcsView.as_view(), name="my_events_ics"),
    *EventTypeViews.urls("types", NAMESPACE),
    *RegistrationViews.urls("registrations", NAMESPACE),
    path("<int:pk>/ics", EventIcsView.as_view(), name="event_ics"),
    path("<int:pk>/publish/", EventPublishView.as_view(), name="event_publish"),
    path("<int:pk>/cancel/", EventCancelView.as_view(), name="event_cancel"),
    path("<int:pk>/register/", RegisterView.as_view(), name="event_register"),
    path("<int:pk>/register-students/", StudentBatchView.as_view(), name="event_register_students"),
    *EventViews.urls("e", NAMESPACE),
]
