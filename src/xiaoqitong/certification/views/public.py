"""The public list of 产教融合型企业 (``/public/certified/``, no login): the enterprises that hold the title
now, with their level, county, industry, number, dates and plaque; filter by level and county; export as
xlsx or csv. Only public facts of the title: nothing of the application, the reviews or the incentives."""

import tablib
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from xiaoqitong.core.formats import day_text
from xiaoqitong.core.imports import dataset_response
from xiaoqitong.reference.models import Region

from ..choices import HELD, Level
from ..models import Certification

PER_PAGE = 50


def public_queryset():
    return (
        Certification.objects.filter(status__in=sorted(HELD))
        .select_related("enterprise", "enterprise__county", "enterprise__industry")
        .order_by("-level", "enterprise__county__code", "enterprise__name")
    )


def public_rows(qs) -> tablib.Dataset:
    out = tablib.Dataset(
        headers=[
            "企业名称",
            "统一社会信用代码",
            "级别",
            "县市区或园区",
            "所属行业",
            "认定编号",
            "认定日期",
            "有效期至",
            "状态",
        ]
    )
    for c in qs:
        out.append(
            [
                c.enterprise.name,
                c.enterprise.credit_code,
                c.get_level_display(),
                c.enterprise.county.name,
                c.enterprise.industry.name,
                c.number,
                day_text(c.certified_on),
                day_text(c.valid_until),
                c.get_status_display(),
            ]
        )
    return out


def filtered(request):
    qs = public_queryset()
    level = request.GET.get("level", "")
    if level in Level.values:
        qs = qs.filter(level=level)
    county = request.GET.get("county", "")
    if county:
        qs = qs.filter(enterprise__county__code=county)
    return qs, level, county


def public_list(request):
    qs, level, county = filtered(request)
    fmt = request.GET.get("export")
    if fmt:
        return dataset_response(
            public_rows(qs), fmt, _("产教融合型企业名单"), request.GET.get("encoding", "utf-8")
        )
    counties = Region.objects.filter(pk__in=public_queryset().values("enterprise__county")).order_by("code")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/public_list.html",
        {
            "page": page,
            "total": qs.count(),
            "levels": Level.choices,
            "level": level,
            "counties": counties,
            "county": county,
            "api_url": "/api/v1/certification/public/",
        },
    )
