"""Pages of practice bases and their bookings: the generic list/detail/edit/import pages of bases with a
booking form on a base's page; the base's calendar (a week with days as columns and bookings as blocks, or
a month's list) and its iCalendar file; the bookings (officers' list, "我的预约", a booking's page with its
cancel form); and the counts of bases against T13 and T14."""

import datetime as dt
import math

import tablib
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View
from django_tables2 import RequestConfig

from xiaoqitong.core import ical
from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.models import AuditLog
from xiaoqitong.core.views import PostStepView, add_form_errors
from xiaoqitong.enterprises.views import AppModelViews, DetailView

from ..choices import BookingStatus
from ..filtersets.bases import BaseBookingFilterSet, PracticeBaseFilterSet
from ..forms.bases import BookingForm, CancelForm, PracticeBaseForm
from ..models import BaseBooking, PracticeBase
from ..policies.bases import booker_org, booking_may_cancel, owns_base
from ..selectors import bases as selectors
from ..selectors.internships import monday as week_monday
from ..services import bases as services
from ..services.internships import add_months
from ..tables.bases import BaseBookingTable, PracticeBaseTable, owners_text

NAMESPACE = "cooperation"
HOUR_PX = 44  # height of one hour in the week view
MIN_BLOCK_PX = 20
COMING_DAYS = 60  # the bookings a base's page lists
WEEKDAYS = (
    gettext_noop("周一"),
    gettext_noop("周二"),
    gettext_noop("周三"),
    gettext_noop("周四"),
    gettext_noop("周五"),
    gettext_noop("周六"),
    gettext_noop("周日"),
)


def _parse_date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


# --- practice bases ----------------------------------------------------------------------------------------
class PracticeBaseViews(AppModelViews):
    model = PracticeBase
    filterset = PracticeBaseFilterSet
    table = PracticeBaseTable
    form = PracticeBaseForm
    select_related = ("owner_school", "owner_enterprise", "county")
    detail_template = "cooperation/bases/practicebase_detail.html"

    @classmethod
    def export_queryset(cls, qs):
        return super().export_queryset(qs).prefetch_related("majors")  # the list page shows no majors

    @classmethod
    def create(cls, *, actor, data):
        return services.practice_base_create(actor=actor, data=PracticeBaseForm.service_data(data))

    @classmethod
    def update(cls, *, actor, instance, data):
        return services.practice_base_update(
            actor=actor, instance=instance, data=PracticeBaseForm.service_data(data)
        )

    delete_service = staticmethod(services.practice_base_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("基地编号"), obj.code),
            (_("基地类型"), obj.get_kind_display()),
            (_("所属学校"), obj.owner_school),
            (_("共建企业"), obj.owner_enterprise),
            (_("所在县市区"), obj.county),
            (_("地址"), obj.address),
            (_("容纳人数"), obj.capacity),
            (_("服务专业"), "、".join(f"{m.name}（{m.code}）" for m in obj.majors.all())),
            (_("对外共享"), obj.shared),
            (_("建成日期"), obj.established.strftime("%Y-%m-%d") if obj.established else ""),
            (_("在用"), obj.active),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        now = timezone.now()
        coming = selectors.calendar_bookings(user, obj, now, now + dt.timedelta(days=COMING_DAYS))[:10]
        notice = ""
        school_id, enterprise_id = booker_org(user)
        can_book = False
        if not (school_id or enterprise_id):
            notice = _("学校管理员、教师或企业人事、导师可以为本单位预约共享基地。")
        elif not obj.active:
            notice = _("基地已停用，不能预约。")
        elif not obj.shared and not owns_base(user, obj):
            notice = _("该基地不对外共享，只有其所属学校或共建企业可以预约。")
        else:
            can_book = True
        form = getattr(request, "_booking_form", None)
        if form is None and can_book:
            start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
            form = BookingForm(initial={"start": start, "end": start + dt.timedelta(hours=4)})
        return {
            "coming": coming,
            "can_book": can_book,
            "book_notice": notice,
            "booking_form": form,
            "owners": owners_text(obj),
            "coming_days": COMING_DAYS,
            "max_span_days": services.MAX_SPAN.days,
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/targets/", TargetsView.as_view(), name="base_targets"),
            path(f"{prefix}/<int:pk>/book/", BookView.as_view(), name="practicebase_book"),
            path(f"{prefix}/<int:pk>/calendar/", CalendarView.as_view(), name="practicebase_calendar"),
            path(f"{prefix}/<int:pk>/calendar.ics", IcsView.as_view(), name="practicebase_ics"),
        ]


def _visible_base(request, pk) -> PracticeBase:
    qs = PracticeBase.objects.restrict(request.user, "view")
    return get_object_or_404(qs.select_related(*PracticeBaseViews.select_related), pk=pk)


class BookView(LoginRequiredMixin, View):
    """POST …/bases/<pk>/book/: book the base for the user's organization. A refusal shows the base's page
    again with the form and the reason (the clashing bookings and the places left)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        base = _visible_base(request, pk)
        form = BookingForm(request.POST)
        if form.is_valid():
            try:
                booking = services.booking_create(actor=request.user, base=base, **form.cleaned_data)
            except ValidationError as exc:
                add_form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("已预约“%(base)s”：%(span)s，%(n)s 人。")
                    % {
                        "base": base,
                        "span": services.span_text(booking.start, booking.end),
                        "n": booking.headcount,
                    },
                )
                return redirect(booking.get_absolute_url())
        request._booking_form = form
        view = type("BaseDetail", (DetailView,), {"config": PracticeBaseViews})()
        view.setup(request, pk=pk)
        response = view.get(request, pk)
        response.status_code = 400
        return response


# --- calendar ----------------------------------------------------------------------------------------------
def week_layout(bookings: list, monday: dt.date, capacity: int) -> dict:
    """The week view: for each day its bookings as blocks (clipped to the day, placed in lanes where they
    overlap) with pixel offsets, the hours shown (07:00-21:00, widened to the bookings) and the day's peak."""
    days = []
    first, last = 7 * 60, 21 * 60
    for i in range(7):
        day = monday + dt.timedelta(days=i)
        start, end = selectors.day_start(day), selectors.day_start(day + dt.timedelta(days=1))
        segments = []
        for booking in bookings:
            if booking.start < end and booking.end > start:
                seg_start, seg_end = max(booking.start, start), min(booking.end, end)
                top = (seg_start - start).total_seconds() / 60
                bottom = (seg_end - start).total_seconds() / 60
                first, last = min(first, top), max(last, bottom)
                segments.append(
                    {
                        "booking": booking,
                        "from": top,
                        "to": bottom,
                        "label": f"{timezone.localtime(seg_start):%H:%M}–{timezone.localtime(seg_end):%H:%M}",
                        "before": booking.start < start,
                        "after": booking.end > end,
                    }
                )
        lanes: list[float] = []
        for seg in sorted(segments, key=lambda s: (s["from"], s["to"])):
            lane = next((n for n, lane_end in enumerate(lanes) if lane_end <= seg["from"]), None)
            if lane is None:
                lanes.append(seg["to"])
                lane = len(lanes) - 1
            else:
                lanes[lane] = seg["to"]
            seg["lane"] = lane
        peak = selectors.peak_occupancy([s["booking"] for s in segments], start, end)
        days.append(
            {
                "date": day,
                "weekday": _(WEEKDAYS[i]),
                "segments": segments,
                "lanes": max(len(lanes), 1),
                "peak": peak,
                "full": peak >= capacity,
                "today": day == timezone.localdate(),
            }
        )
    first_hour, last_hour = math.floor(first / 60), math.ceil(last / 60)
    for day in days:
        for seg in day["segments"]:
            seg["top"] = round((seg["from"] - first_hour * 60) / 60 * HOUR_PX)
            seg["height"] = max(round((seg["to"] - seg["from"]) / 60 * HOUR_PX) - 2, MIN_BLOCK_PX)
            seg["left"] = round(seg["lane"] * 100 / day["lanes"], 2)
            seg["width"] = round(100 / day["lanes"], 2)
    return {
        "days": days,
        "hours": [f"{h:02d}:00" for h in range(first_hour, last_hour)],
        "height": (last_hour - first_hour) * HOUR_PX,
        "hour_px": HOUR_PX,
    }


class CalendarView(LoginRequiredMixin, View):
    """GET …/bases/<pk>/calendar/?week=2026-05-11 (any day of the week) or ?view=month&month=2026-05."""

    def get(self, request, pk):
        base = _visible_base(request, pk)
        today = timezone.localdate()
        context = {
            "object": base,
            "base": base,
            "opts": PracticeBase._meta,
            "config": PracticeBaseViews,
            "owners": owners_text(base),
            "ics_url": reverse(f"{NAMESPACE}:practicebase_ics", kwargs={"pk": base.pk}),
            "can_book": any(booker_org(request.user)),
        }
        if request.GET.get("view") == "month":
            try:
                first = dt.date.fromisoformat(f"{request.GET.get('month', '')}-01")
            except ValueError:
                first = today.replace(day=1)
            following, previous = add_months(first, 1), add_months(first, -1)
            bookings = selectors.calendar_bookings(
                request.user, base, selectors.day_start(first), selectors.day_start(following)
            )
            context |= {
                "view": "month",
                "month": first,
                "prev_month": previous.strftime("%Y-%m"),
                "next_month": following.strftime("%Y-%m"),
                "this_month": today.strftime("%Y-%m"),
                "bookings": [
                    {"booking": b, "span": services.span_text(b.start, b.end), "insider": b.insider}
                    for b in bookings
                ],
                "week_of_month": first.isoformat(),
            }
            return render(request, "cooperation/bases/calendar.html", context)
        day = _parse_date(request.GET.get("week"), today)
        monday = week_monday(day)
        bookings = selectors.calendar_bookings(
            request.user,
            base,
            selectors.day_start(monday),
            selectors.day_start(monday + dt.timedelta(days=7)),
        )
        context |= {
            "view": "week",
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "prev_week": (monday - dt.timedelta(days=7)).isoformat(),
            "next_week": (monday + dt.timedelta(days=7)).isoformat(),
            "this_week": today.isoformat(),
            "month_of_week": monday.strftime("%Y-%m"),
            **week_layout(bookings, monday, base.capacity),
        }
        return render(request, "cooperation/bases/calendar.html", context)


# The iCalendar writer lives in ``core.ical`` (events use it too); ``_fold`` stays importable here.
_ics_text = ical.ics_text
_fold = ical.fold


def bookings_ics(base: PracticeBase, bookings: list, host: str) -> str:
    """An iCalendar (RFC 5545) of the base's bookings: one event each, the purpose only for insiders."""
    events = [
        ical.CalendarEvent(
            uid=f"base-booking-{booking.pk}@{host}",
            start=booking.start,
            end=booking.end,
            summary=_("%(org)s %(n)s 人") % {"org": selectors.booker_name(booking), "n": booking.headcount},
            location=base.address or base.name,
            description=booking.purpose if booking.insider else "",
        )
        for booking in bookings
    ]
    return ical.calendar(base.name, events, prodid="-//XiaoQiTong//Practice bases//ZH")


class IcsView(LoginRequiredMixin, View):
    """GET …/bases/<pk>/calendar.ics: the confirmed bookings from 90 days ago to a year ahead."""

    def get(self, request, pk):
        base = _visible_base(request, pk)
        now = timezone.now()
        bookings = selectors.calendar_bookings(
            request.user, base, now - dt.timedelta(days=90), now + dt.timedelta(days=366)
        )
        body = bookings_ics(base, bookings, request.get_host().split(":")[0] or "xiaoqitong")
        response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="base-{base.code}.ics"'
        return response


# --- bookings ----------------------------------------------------------------------------------------------
def cancel_reason(booking: BaseBooking) -> str:
    """The reason given when the booking was cancelled (kept in its audit record)."""
    entry = (
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(BaseBooking),
            object_id=str(booking.pk),
            verb="booking_cancel",
        )
        .order_by("-time")
        .first()
    )
    if entry is None:
        return ""
    reason = (entry.changes or {}).get("reason") or [None, ""]
    return f"{reason[1]}（{entry.actor_repr}，{when_text(entry.time)}）"


class BaseBookingViews(AppModelViews):
    model = BaseBooking
    filterset = BaseBookingFilterSet
    table = BaseBookingTable
    importable = False
    select_related = ("base", "school", "enterprise")
    detail_template = "cooperation/bases/basebooking_detail.html"

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("基地"), obj.base),
            (_("预约单位"), selectors.booker_name(obj)),
            (_("预约人"), obj.booked_by or ""),
            (_("开始时间"), when_text(obj.start)),
            (_("结束时间"), when_text(obj.end)),
            (_("人数"), obj.headcount),
            (_("用途"), obj.purpose),
            (_("状态"), obj.get_status_display()),
            (_("预约时间"), when_text(obj.created_at)),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        cancellable = (
            obj.status == BookingStatus.CONFIRMED
            and obj.end > timezone.now()
            and booking_may_cancel(request.user, obj)
        )
        base_visible = PracticeBase.objects.restrict(request.user).filter(pk=obj.base_id).exists()
        return {
            "can_cancel": cancellable,
            "cancel_form": CancelForm(),
            "reason": cancel_reason(obj) if obj.status == BookingStatus.CANCELLED else "",
            "base_url": obj.base.get_absolute_url() if base_visible else "",
            "calendar_url": f"{reverse(f'{NAMESPACE}:practicebase_calendar', kwargs={'pk': obj.base_id})}"
            f"?week={timezone.localtime(obj.start).date().isoformat()}"
            if base_visible
            else "",
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/mine/", MyBookingsView.as_view(), name="booking_mine"),
            path(f"{prefix}/<int:pk>/cancel/", CancelView.as_view(), name="basebooking_cancel"),
        ]


class CancelView(PostStepView):
    """POST …/bookings/<pk>/cancel/ with ``reason``."""

    def post(self, request, pk):
        booking = get_object_or_404(
            BaseBooking.objects.restrict(request.user, "view").select_related("base"), pk=pk
        )
        form = CancelForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("请填写取消原因。"))
            services.booking_cancel(actor=request.user, booking=booking, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            return self.refused(request, booking, exc)
        return self.done(request, booking, _("已取消预约，名额已释放。"))


class MyBookingsView(LoginRequiredMixin, View):
    """“我的预约”: the bookings of the user's school or enterprise, those still to come first."""

    def get(self, request):
        if not any(booker_org(request.user)):
            raise PermissionDenied(_("只有学校和企业的用户有“我的预约”。"))
        mine = selectors.my_bookings(request.user)
        coming = BaseBookingTable(selectors.upcoming(mine), request=request, prefix="c-")
        RequestConfig(request, paginate={"per_page": 50}).configure(coming)
        now = timezone.now()
        past = mine.exclude(status=BookingStatus.CONFIRMED, end__gt=now).order_by("-start", "-id")
        history = BaseBookingTable(past, request=request, prefix="h-")
        RequestConfig(request, paginate={"per_page": 50}).configure(history)
        return render(
            request,
            "cooperation/bases/booking_mine.html",
            {"coming": coming, "history": history, "bases_url": reverse(f"{NAMESPACE}:practicebase_list")},
        )


# --- T13 / T14 ---------------------------------------------------------------------------------------------
def _yes(met: bool) -> str:
    return _("达标") if met else _("未达标")


def targets_dataset(data: dict, table: str) -> tablib.Dataset:
    """The school table (T13) or the county table (T14, with the city's 市级共享性智能实训基地 last)."""
    if table == "schools":
        out = tablib.Dataset(
            headers=["学校代码", "学校名称", "所在县市区", "产教融合实习基地数", "目标", "是否达标", "依据"]
        )
        for row in data["schools"]:
            school = row["school"]
            out.append(
                [
                    school.code,
                    school.name,
                    str(row["county"]),
                    row["count"],
                    row["target"],
                    _yes(row["met"]),
                    row["cite"],
                ]
            )
        return out
    out = tablib.Dataset(headers=["区划代码", "县市区", "县域共享性实训基地数", "目标", "是否达标", "依据"])
    for row in data["counties"]:
        county = row["county"]
        out.append([county.code, county.name, row["count"], row["target"], _yes(row["met"]), row["cite"]])
    city = data["city"]
    out.append(["", _("全市：市级共享性智能实训基地"), city["count"], 1, _yes(city["met"]), city["cite"]])
    return out


class TargetsView(LoginRequiredMixin, View):
    """GET …/bases/targets/ (``?export=csv|xlsx&table=schools|counties``): T13 per school, T14 per county
    and the city-level shared base, each met or not with its source."""

    def get(self, request):
        data = selectors.base_targets(request.user)
        fmt = request.GET.get("export")
        if fmt:
            table = request.GET.get("table", "counties")
            if table not in ("schools", "counties"):
                table = "counties"
            name = (
                _("产教融合实习基地达标（T13）") if table == "schools" else _("县域共享性实训基地达标（T14）")
            )
            return dataset_response(
                targets_dataset(data, table), fmt, name, request.GET.get("encoding", "utf-8")
            )
        return render(
            request,
            "cooperation/bases/targets.html",
            data | {"list_url": reverse(f"{NAMESPACE}:practicebase_list")},
        )


urlpatterns = [
    *PracticeBaseViews.urls("bases", NAMESPACE),
    *BaseBookingViews.urls("bookings", NAMESPACE),
]
