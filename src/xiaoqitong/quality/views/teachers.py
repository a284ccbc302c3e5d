"""Pages of the teachers' figures (T18-T23, 五（十二）-（十四）):

- “双师型”教师培训基地 (``/quality/teachers/training-bases/``), 特岗教师经费
  (``/quality/teachers/special-posts/``) and 技术服务收入 (``/quality/teachers/tech-service/``): the generic
  list/detail/add/edit/delete/import/export/history pages;
- “师资队伍” (``/quality/teachers/overview/?year=``, ``&export=xlsx|csv``): the city's figures against the
  targets with their sources, and a line per school (teachers, part-time share, 双师型 share, masters, 特岗
  funding per post, technical-service share, enterprise-practice days per full-time teacher), a school
  staff member's own school first. The teachers themselves are kept on the schools app's pages
  (``schools:teacher_list``, ``schools:teacherpractice_list``), linked from here.
"""

import tablib
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View

from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.policy import policy_for
from xiaoqitong.enterprises.views import AppModelViews
from xiaoqitong.schools.models import Teacher, TeacherPractice

from .. import targets
from ..filtersets.teachers import (
    SpecialPostFundingFilterSet,
    TeacherTrainingBaseFilterSet,
    TechServiceIncomeFilterSet,
)
from ..forms.teachers import SpecialPostFundingForm, TeacherTrainingBaseForm, TechServiceIncomeForm
from ..models import SpecialPostFunding, TeacherTrainingBase, TechServiceIncome
from ..policies.teachers import may_view_overview, own_school_id
from ..selectors import teachers as selectors
from ..services import teachers as services
from ..tables.teachers import SpecialPostFundingTable, TeacherTrainingBaseTable, TechServiceIncomeTable
from .targets import chosen_year, year_choices

NAMESPACE = "quality"
REFUSED = gettext_noop("“师资队伍”统计面向政府部门、研究人员和学校。")


class TeacherTrainingBaseViews(AppModelViews):
    model = TeacherTrainingBase
    filterset = TeacherTrainingBaseFilterSet
    table = TeacherTrainingBaseTable
    form = TeacherTrainingBaseForm
    select_related = ("host_school", "host_enterprise")
    create_service = staticmethod(services.teacher_training_base_create)
    update_service = staticmethod(services.teacher_training_base_update)
    delete_service = staticmethod(services.teacher_training_base_delete)


class SpecialPostFundingViews(AppModelViews):
    model = SpecialPostFunding
    filterset = SpecialPostFundingFilterSet
    table = SpecialPostFundingTable
    form = SpecialPostFundingForm
    select_related = ("school",)
    create_service = staticmethod(services.special_post_funding_create)
    update_service = staticmethod(services.special_post_funding_update)
    delete_service = staticmethod(services.special_post_funding_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        per_post = obj.amount / obj.posts if obj.posts else None
        return [
            *cls.detail_fields(obj),
            (_("人均经费（元/岗）"), targets.value_text(selectors.T19, per_post)),
        ]


class TechServiceIncomeViews(AppModelViews):
    model = TechServiceIncome
    filterset = TechServiceIncomeFilterSet
    table = TechServiceIncomeTable
    form = TechServiceIncomeForm
    select_related = ("school",)
    create_service = staticmethod(services.tech_service_income_create)
    update_service = staticmethod(services.tech_service_income_update)
    delete_service = staticmethod(services.tech_service_income_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        share = targets.Figure(obj.paid_to_teachers, obj.surplus).value
        return [*cls.detail_fields(obj), (_("用于教师报酬比例"), targets.value_text(selectors.T23, share))]


# --- “师资队伍” ----------------------------------------------------------------------------------------
def overview_for(user, year: int) -> dict:
    """The page's data for ``user``: every school's line (aggregates), a school staff member's own first."""
    return selectors.overview(year, own_school_id=own_school_id(user))


def _met_text(row) -> str:
    return {True: _("达标"), False: _("未达标"), None: _("暂无数据")}[None if row is None else row.met]


def overview_dataset(data: dict) -> tablib.Dataset:
    """The city's rows, then one row per school (as the page's table)."""
    out = tablib.Dataset(
        headers=[
            "学校代码",
            "学校",
            "教师数",
            "专任教师数",
            "兼职教师数",
            "兼职教师占比",
            "T18",
            "“双师型”专任教师数",
            "“双师型”教师比例",
            "T20",
            "省级及以上教学名师",
            "市级及以上教学名师",
            "特岗人均经费（元）",
            "T19",
            "技术服务结余用于教师报酬比例",
            "T23",
            "企业实践天数（专任教师）",
            "人均企业实践天数",
        ]
    )
    for row in data["city"]:
        out.append(
            [
                "",
                _("全市：%(label)s") % {"label": row.measure.label},
                "",
                "",
                "",
                "",
                "",
                "",
                row.text,
                _met_text(row),
                "",
                "",
                "",
                "",
                row.target_text,
                row.source,
                "",
                "",
            ]
        )
    for line in data["lines"]:
        counts, cells = line.counts, line.cells
        out.append(
            [
                line.school.code,
                line.school.name,
                counts.get("total", 0),
                counts.get("full_time", 0),
                counts.get("part_time", 0),
                cells["part_time"].text,
                _met_text(cells["part_time"]),
                counts.get("dual", 0),
                cells["dual"].text,
                _met_text(cells["dual"]),
                counts.get("provincial_masters", 0),
                counts.get("city_masters", 0),
                cells["funding"].text,
                _met_text(cells["funding"]),
                cells["tech"].text,
                _met_text(cells["tech"]),
                "" if line.days is None else line.days,
                "" if line.days_per_teacher is None else line.days_per_teacher,
            ]
        )
    return out


class OverviewView(LoginRequiredMixin, View):
    """GET /quality/teachers/overview/?year=2026 (``&export=xlsx|csv``)."""

    def get(self, request):
        if not may_view_overview(request.user):
            raise PermissionDenied(_(REFUSED))
        year = chosen_year(request)
        data = overview_for(request.user, year)
        fmt = request.GET.get("export")
        if fmt:
            name = _("师资队伍") + f"-{year}"
            return dataset_response(overview_dataset(data), fmt, name, request.GET.get("encoding", "utf-8"))
        user = request.user
        links = [
            (label, reverse(url))
            for label, url, model in (
                (_("教师名册"), "schools:teacher_list", Teacher),
                (_("教师企业实践"), "schools:teacherpractice_list", TeacherPractice),
                (_("“双师型”教师培训基地"), f"{NAMESPACE}:teachertrainingbase_list", TeacherTrainingBase),
                (_("特岗教师经费"), f"{NAMESPACE}:specialpostfunding_list", SpecialPostFunding),
                (_("技术服务收入"), f"{NAMESPACE}:techserviceincome_list", TechServiceIncome),
            )
            if policy_for(model).allows(user, "view")
        ]
        measures = selectors.SCHOOL_MEASURES
        heads = {
            name: {"id": row.target_id, "target": row.target_text}
            for name, measure in measures.items()
            for row in data["city"]
            if row.measure is measure
        }
        return render(
            request,
            "quality/teachers/overview.html",
            data
            | {
                "years": year_choices(),
                "links": links,
                "heads": heads,
                "note": selectors.NO_HISTORY_NOTE,
                "teacher_list_url": reverse("schools:teacher_list")
                if policy_for(Teacher).allows(user, "view")
                else "",
            },
        )


urlpatterns = [
    path("teachers/overview/", OverviewView.as_view(), name="teachers_overview"),
    *TeacherTrainingBaseViews.urls("teachers/training-bases", NAMESPACE),
    *SpecialPostFundingViews.urls("teachers/special-posts", NAMESPACE),
    *TechServiceIncomeViews.urls("teachers/tech-service", NAMESPACE),
]
