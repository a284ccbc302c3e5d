import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from xiaoqitong.core import search
from xiaoqitong.enterprises.models import Application, ApplicationEvent, GraduateOutcome, Position
from xiaoqitong.reference.models import Region

from ..orgs.factories import EnterpriseFactory
from ..schools.factories import StudentFactory


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


class PositionFactory(DjangoModelFactory):
    """A posting whose text reads like a real one and passes the discrimination check."""

    class Meta:
        model = Position
        skip_postgeneration_save = True  # the hook saves what it changes itself

    enterprise = factory.SubFactory(EnterpriseFactory)
    title = factory.Sequence(lambda n: f"数控车床操作工{n}")
    description = (
        "岗位职责：按图纸操作数控车床加工零件，做好首件自检和设备日常保养。"
        "任职要求：中职及以上学历，数控技术应用等相关专业，能看懂机械图纸，男女不限。"
        "待遇：五险一金，包住宿，月休四天。"
    )
    position_type = "full_time"
    min_education = "secondary"
    headcount = 3
    salary_min = 4500
    salary_max = 6500
    county = factory.LazyFunction(lambda: Region.objects.get(code="431002"))
    valid_until = factory.LazyFunction(lambda: in_days(60))
    status = "draft"

    @factory.post_generation
    def _search(obj, create, extracted, **kwargs):
        # The services index every posting they write; a factory row gets the same search text.
        if create:
            search.refresh(obj, save=True)


class PublishedPositionFactory(PositionFactory):
    status = "published"
    published_at = factory.LazyFunction(timezone.now)


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    student = factory.SubFactory(StudentFactory)
    position = factory.SubFactory(PublishedPositionFactory)
    status = "submitted"
    note = "您好，我是数控专业的应届生，希望应聘。"

    @factory.post_generation
    def _event(obj, create, extracted, **kwargs):
        if create:
            ApplicationEvent.objects.create(application=obj, from_status="", to_status="submitted")


class GraduateOutcomeFactory(DjangoModelFactory):
    class Meta:
        model = GraduateOutcome

    student = factory.SubFactory(StudentFactory, status="graduated")
    year = 2025
    outcome = "employed"
    employer_name = "郴州市某机械有限公司"
    in_city = True
    related_to_major = True
