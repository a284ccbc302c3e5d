"""Pages of skill sampling tests (专业技能抽测, 专业大类基础理论知识普测; 三（七））:

- results (``/quality/skilltests/results/``): the generic list/detail/add/edit/delete/import/export/history
  pages; the import reads the organizing department's spreadsheet (checked as a whole, all or nothing);
- “技能抽测” (``/quality/skilltests/?year=``, ``&export=xlsx|csv``): per school its pass rate and average
  score in each kind of test, beside its 双师型 and part-time shares; the city's averages;
- a school's page (``/quality/skilltests/schools/<id>/?year=``): its “质量概况” panel (the pass rates with the
  teachers' figures) and its results by major or major category.
"""

import tablib
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View

from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.policy import policy_for
from xiaoqitong.enterprises.views import AppModelViews
from xiaoqitong.orgs.models import School

from ..filtersets.skilltests import SkillTestResultFilterSet
from ..forms.skilltests import SkillTestResultForm
from ..models import SkillTestResult
from ..policies.skilltests import may_view_school, may_view_summary, summary_school_ids
from ..policies.teachers import own_school_id
from ..selectors import skilltests as selectors
from ..services import skilltests as services
from ..tables.skilltests import SkillTestResultTable
from .targets import chosen_year, year_choices

NAMESPACE = "quality"
REFUSED = gettext_noop("技能抽测统计面向政府部门、研究人员和学校。")


class SkillTestResultViews(AppModelViews):
    model = SkillTestResult
    filterset = SkillTestResultFilterSet
    table = SkillTestResultTable
    form = SkillTestResultForm
    select_related = ("school", "major", "category")
    create_service = staticmethod(services.skill_test_result_create)
    update_service = staticmethod(services.skill_test_result_update)
    delete_service = staticmethod(services.skill_test_result_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        rate = selectors.Result(tested=obj.tested, passed=obj.passed).pass_rate
        return [*cls.detail_fields(obj), (_("合格率"), "—" if rate is None else f"{rate}%")]


def summary_for(user, year: int) -> dict:
    return selectors.summary(year, school_ids=summary_school_ids(user), own_school_id=own_school_id(user))


def _rate(result) -> str:
    return "" if result is None or result.pass_rate is None else f"{result.pass_rate}%"


def _score(result) -> str:
    return "" if result is None or result.average_score is None else str(result.average_score)


def summary_dataset(data: dict) -> tablib.Dataset:
    """One row per school (and the city's first): per kind 参测, 合格, 合格率, 平均分; then the teachers'
    shares."""
    headers = ["学校代码", "学校"]
    for _kind, label in data["kinds"]:
        headers += [f"{label}参测人数", f"{label}合格人数", f"{label}合格率", f"{label}平均分"]
    headers += ["“双师型”教师比例", "兼职教师占比"]
    out = tablib.Dataset(headers=headers)
    city = ["", _("全市（合计）")]
    for item in data["city"]:
        pooled = item["pooled"]
        city += [pooled.tested, pooled.passed, _rate(pooled), _score(pooled)]
    out.append([*city, "", ""])
    for line in data["lines"]:
        row = [line.school.code, line.school.name]
        for result in line.cells:
            row += ["" if result is None else result.tested, "" if result is None else result.passed]
            row += [_rate(result), _score(result)]
        row += [line.dual.text if line.dual else "", line.part_time.text if line.part_time else ""]
        out.append(row)
    return out


def _year_form(request) -> dict:
    return {"years": year_choices()}


class SummaryView(LoginRequiredMixin, View):
    """GET /quality/skilltests/?year=2026 (``&export=xlsx|csv``)."""

    def get(self, request):
        if not may_view_summary(request.user):
            raise PermissionDenied(_(REFUSED))
        year = chosen_year(request)
        data = summary_for(request.user, year)
        fmt = request.GET.get("export")
        if fmt:
            name = _("技能抽测") + f"-{year}"
            return dataset_response(summary_dataset(data), fmt, name, request.GET.get("encoding", "utf-8"))
        policy = policy_for(SkillTestResult)
        return render(
            request,
            "quality/skilltests/summary.html",
            data
            | _year_form(request)
            | {
                "list_url": reverse(f"{NAMESPACE}:skilltestresult_list")
                if policy.allows(request.user, "view")
                else "",
                "import_url": reverse(f"{NAMESPACE}:skilltestresult_import")
                if policy.allows(request.user, "import")
                else "",
                "teachers_url": reverse(f"{NAMESPACE}:teachers_overview"),
            },
        )


class SchoolView(LoginRequiredMixin, View):
    """GET /quality/skilltests/schools/<id>/?year=2026: a school's “质量概况” and its results. A school whose
    line the user does not see answers like one that does not exist."""

    def get(self, request, pk):
        if not may_view_school(request.user, pk):
            raise Http404
        school = School.objects.filter(pk=pk).first()
        if school is None:
            raise Http404
        year = chosen_year(request)
        results = list(selectors.school_results(school.pk, year, request.user))
        return render(
            request,
            "quality/skilltests/school.html",
            _year_form(request)
            | {
                "school": school,
                "year": year,
                "panel": selectors.school_quality(school.pk, year),
                "results": results,
                "reads_rows": policy_for(SkillTestResult).allows(request.user, "view"),
                "summary_url": reverse(f"{NAMESPACE}:skilltests_summary"),
            },
        )


urlpatterns = [
    path("skilltests/", SummaryView.as_view(), name="skilltests_summary"),
    path("skilltests/schools/<int:pk>/", SchoolView.as_view(), name="skilltests_school"),
    *SkillTestResultViews.urls("skilltests/results", NAMESPACE),
]
