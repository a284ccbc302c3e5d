"""End to end with the test client: a county registers its shared base, a school books it from the base's
page, a second booking over capacity is refused with the clash shown in the page, the calendar and
"我的预约" show the booking, the booker cancels it and the places are free again; the T14 row of the
county is met."""

import pytest
from django.test import Client
from django.urls import reverse

from xiaoqitong.cooperation.models import BaseBooking, PracticeBase
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import county, user_with_role
from .factories_bases import at

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_school_books_a_shared_county_base_and_a_second_booking_over_capacity_is_refused():
    owner = user_with_role(Role.SCHOOL_ADMIN)
    owner_page = client_for(owner)
    response = owner_page.post(
        reverse("cooperation:practicebase_add"),
        {
            "code": "JD-BH-001",
            "name": "北湖区县域共享性职业技能实训基地",
            "kind": "county_shared",
            "county": county().pk,
            "capacity": 40,
            "major_codes": "660103",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    base = PracticeBase.objects.get(code="JD-BH-001")
    assert base.shared and base.owner_school == owner.school  # shared by kind, owned by the admin's school

    school = user_with_role(Role.TEACHER)
    page = client_for(school)
    body = page.get(reverse("cooperation:practicebase_list") + "?shared=true&county=431002").content.decode()
    assert base.name in body
    body = page.get(base.get_absolute_url()).content.decode()
    book_url = reverse("cooperation:practicebase_book", args=[base.pk])
    assert book_url in body and "预约基地" in body
    span = {"start": f"{at(4, 8):%Y-%m-%dT%H:%M}", "end": f"{at(4, 17):%Y-%m-%dT%H:%M}"}
    response = page.post(book_url, span | {"headcount": 32, "purpose": "数控车工技能实训"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "已预约" in body and "数控车工技能实训" in body
    booking = BaseBooking.objects.get()

    enterprise = user_with_role(Role.ENTERPRISE_HR)
    other = client_for(enterprise)
    response = other.post(book_url, span | {"headcount": 10, "purpose": "新员工培训"})
    assert response.status_code == 400
    body = response.content.decode()
    day = f"{at(4):%Y-%m-%d}"
    assert "容量不足" in body and "最多只剩 8 个名额" in body and "本次预约 10 人" in body
    assert f"{day} 08:00–17:00 {school.school.name} 32 人" in body  # the clash: span, booker, headcount
    assert "数控车工技能实训" not in body  # another organization's purpose stays private
    assert BaseBooking.objects.count() == 1

    calendar = other.get(reverse("cooperation:practicebase_calendar", args=[base.pk]) + f"?week={day}")
    assert f'data-booking="{booking.pk}"' in calendar.content.decode()
    mine = page.get(reverse("cooperation:booking_mine")).content.decode()
    assert "数控车工技能实训" in mine

    response = page.post(
        reverse("cooperation:basebooking_cancel", args=[booking.pk]), {"reason": "实训课调整"}, follow=True
    )
    assert "已取消预约" in response.content.decode()
    response = other.post(book_url, span | {"headcount": 10, "purpose": "新员工培训"})
    assert response.status_code == 302

    officer = client_for(user_with_role(Role.GOV_OFFICER))
    body = officer.get(reverse("cooperation:base_targets")).content.decode()
    assert "北湖区" in body and "1/11 个县市区达标" in body
