"""The events targets page (T7-T9): ``/events/targets/?year=`` — for each rule an event type names, the events
held in the year against the rule's number (达标 / 未达标, with the source), those still ahead counted apart
as 已安排; the other types counted without a target; the year's participants, signed intentions and
commitments done and overdue. ``&export=xlsx|csv`` downloads the same rows."""

import tablib
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.imports import dataset_response

from ..policies.targets import may_view_event_targets
from ..selectors.targets import Report, targets_report

FIRST_YEAR = 2021  # the policy's year (郴政发〔2021〕9号)


def year_choices() -> list[int]:
    """From next year (events are planned ahead) back to the policy's year."""
    return list(range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1))


def chosen_year(request) -> int:
    """``?year=`` when it is one of :func:`year_choices`, else this year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if year in year_choices() else timezone.localdate().year


def met_text(met) -> str:
    return {True: _("达标"), False: _("未达标"), None: _("不考核")}[met]


def report_dataset(report: Report) -> tablib.Dataset:
    """The year's rows: one per rule (and per type without a rule), then the participants, the intentions and
    the commitments."""
    out = tablib.Dataset(headers=["年度", "分组", "项目", "已举办", "已安排", "目标", "是否达标", "依据"])
    year = report.year
    for line in report.lines:
        out.append(
            [
                year,
                _("活动场次"),
                line.label,
                line.held,
                line.scheduled,
                line.target_int,
                met_text(line.met),
                line.cite,
            ]
        )
    for line in report.others:
        out.append([year, _("活动场次"), line.label, line.held, line.scheduled, "", met_text(None), ""])
    p = report.participants
    for label, value in (
        (_("已举办活动"), p.held_events),
        (_("参与企业（家）"), p.enterprises),
        (_("企业展位（个次）"), p.booths),
        (_("参与学校（所）"), p.schools),
        (_("学校代表团（个次）"), p.delegations),
        (_("参与学生（人）"), p.students),
        (_("学生报名（人次）"), p.student_registrations),
    ):
        out.append([year, _("参与情况"), label, value, "", "", "", ""])
    for line in report.intentions:
        out.append(
            [year, _("签约意向"), _("%(kind)s：已签署") % {"kind": line.label}, line.signed, "", "", "", ""]
        )
        out.append(
            [
                year,
                _("签约意向"),
                _("%(kind)s：已转化") % {"kind": line.label},
                line.converted,
                "",
                "",
                "",
                "",
            ]
        )
    c = report.commitments
    for label, value in (
        (_("承诺事项：全部"), c.get("total", 0)),
        (_("承诺事项：已完成"), c.get("done", 0)),
        (_("承诺事项：逾期"), c.get("overdue", 0)),
        (_("承诺事项：推进中"), c.get("in_progress", 0)),
    ):
        out.append([year, _("承诺事项"), label, value, "", "", "", ""])
    return out


class TargetsView(LoginRequiredMixin, View):
    """GET /events/targets/?year=2026 (``&export=xlsx|csv``)."""

    def get(self, request):
        if not may_view_event_targets(request.user):
            raise PermissionDenied(_("产教活动指标面向政府部门、学校、企业和研究人员。"))
        year = chosen_year(request)
        report = targets_report(year)
        fmt = request.GET.get("export")
        if fmt:
            name = _("产教活动指标") + f"-{year}"
            return dataset_response(report_dataset(report), fmt, name, request.GET.get("encoding", "utf-8"))
        today = timezone.localdate()
        return render(
            request,
            "events/targets/targets.html",
            {
                "report": report,
                "year": year,
                "years": year_choices(),
                "this_year": today.year,
                "today": today,
                "rules_url": reverse("cooperation:rule_list"),
            },
        )


urlpatterns = [path("targets/", TargetsView.as_view(), name="targets")]
