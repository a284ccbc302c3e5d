"""Model rules with Chinese messages naming the field: majors that fit the school, 学制, counts, students
in their school's majors, ID card numbers (GB 11643) and skills written as text."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import SchoolMajor, Student, final_school_year
from xiaoqitong.schools.validators import (
    id_card_hash,
    make_id_card,
    parse_skill_levels,
    validate_id_card,
)

from ..orgs.factories import SchoolFactory, user_with_role
from .factories import ASSOCIATE_MAJOR, BACHELOR_MAJOR, SECONDARY_MAJOR, SchoolMajorFactory, major

pytestmark = pytest.mark.django_db

# school type -> (catalog level of the major -> allowed?)
FITS = {
    "secondary": {SECONDARY_MAJOR: True, ASSOCIATE_MAJOR: False, BACHELOR_MAJOR: False},
    "associate": {SECONDARY_MAJOR: False, ASSOCIATE_MAJOR: True, BACHELOR_MAJOR: False},
    "bachelor": {SECONDARY_MAJOR: False, ASSOCIATE_MAJOR: True, BACHELOR_MAJOR: True},
    "technician": {SECONDARY_MAJOR: True, ASSOCIATE_MAJOR: True, BACHELOR_MAJOR: False},
    "open": {SECONDARY_MAJOR: True, ASSOCIATE_MAJOR: True, BACHELOR_MAJOR: False},
}


def errors_of(instance) -> dict:
    try:
        instance.full_clean()
    except ValidationError as exc:
        return exc.message_dict
    return {}


@pytest.mark.parametrize("school_type", list(FITS))
def test_a_major_must_fit_the_school_type(school_type):
    school = SchoolFactory(school_type=school_type)
    for code, fits in FITS[school_type].items():
        errors = errors_of(SchoolMajor(school=school, major=major(code), year=2024))
        assert ("major" not in errors) is fits, (school_type, code, errors)
        if not fits:
            assert errors["major"][0].startswith("专业：") and school.name in errors["major"][0]


@pytest.mark.parametrize("duration", ["5y", "3+2", "5+0"])
def test_five_year_and_bridging_durations_only_for_associate_majors(duration):
    technician = SchoolFactory(school_type="technician")
    assert "duration" not in errors_of(
        SchoolMajor(school=technician, major=major(ASSOCIATE_MAJOR), year=2024, duration=duration)
    )
    errors = errors_of(
        SchoolMajor(school=technician, major=major(SECONDARY_MAJOR), year=2024, duration=duration)
    )
    assert "学制" in errors["duration"][0] and "高职专科" in errors["duration"][0]


def test_counts_cannot_exceed_the_students_enrolled():
    school = SchoolFactory()
    row = SchoolMajor(
        school=school,
        major=major(),
        year=2024,
        students_enrolled=100,
        new_enrolment=120,
        expected_graduates=101,
        actual_graduates=100,
    )
    errors = errors_of(row)
    assert errors["new_enrolment"] == ["实际招生（120）不能多于在校生数（100）。"]
    assert errors["expected_graduates"] == ["预计毕业生数（101）不能多于在校生数（100）。"]
    assert "actual_graduates" not in errors


def test_a_student_belongs_to_a_major_of_their_school():
    other = SchoolMajorFactory()
    student = Student(school=SchoolFactory(), school_major=other, student_no="1", name="甲", grade=2024)
    assert errors_of(student)["school_major"] == ["专业：所选专业不是本校开设的专业。"]


def test_a_student_belongs_to_the_major_row_of_their_last_school_year():
    school = SchoolFactory()
    rows = {year: SchoolMajorFactory(school=school, year=year) for year in (2021, 2022, 2023, 2024, 2025)}

    def problem(row, grade, graduation):
        student = Student(
            school=school,
            school_major=rows[row],
            student_no="1",
            name="甲",
            grade=grade,
            expected_graduation=graduation,
        )
        return errors_of(student).get("school_major")

    assert final_school_year(dt.date(2026, 6, 30)) == 2025
    assert final_school_year(dt.date(2025, 12, 31)) == 2025
    assert problem(2025, 2023, dt.date(2026, 6, 30)) is None  # in school: the current row
    assert problem(2023, 2021, dt.date(2024, 6, 30)) is None  # a graduate: the final year's row
    assert problem(2022, 2023, None)[0].startswith("专业：应选学生在读期间（2023 年度起）")  # before entry
    assert "2025 年度" in problem(2025, 2021, dt.date(2024, 6, 30))[0]  # after graduating


def test_student_dates_and_account():
    school_major = SchoolMajorFactory(year=2024)
    student = Student(
        school=school_major.school,
        school_major=school_major,
        student_no="1",
        name="甲",
        grade=2024,
        entry_date=dt.date(2023, 9, 1),
        expected_graduation=dt.date(2023, 6, 30),
        birth_year=2025,
        user=user_with_role(Role.TEACHER, school=school_major.school),
    )
    errors = errors_of(student)
    assert "入学日期" in errors["entry_date"][0]
    assert "预计毕业日期" in errors["expected_graduation"][0]
    assert "出生年份" in errors["birth_year"][0]
    assert "学生账号" in errors["user"][0]


# --- ID card numbers -----------------------------------------------------------------------------------
def test_id_card_checksum():
    number = make_id_card("431002", dt.date(2008, 3, 15), 123)
    assert validate_id_card(number) == number
    assert validate_id_card(f" {number.lower()} ") == number
    assert id_card_hash(number) == id_card_hash(number.lower())
    assert id_card_hash(number) != number and len(id_card_hash(number)) == 64
    # The published example of GB 11643 (11010519491231002X) is valid.
    assert validate_id_card("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("43100220080315123", "应为 18 位"),
        ("4310022008031512AX", "前 17 位应为数字"),
        ("431002200802301230", "出生日期"),
        ("110105194912310021", "校验位不正确"),
    ],
)
def test_id_card_refusals_are_chinese_and_do_not_repeat_the_number(value, message):
    with pytest.raises(ValidationError) as exc:
        validate_id_card(value)
    text = " ".join(exc.value.messages)
    assert message in text and value not in text


# --- skills as text --------------------------------------------------------------------------------------
def test_skills_text():
    parsed = parse_skill_levels("机械制图:精通、CAD绘图，三维建模：了解")
    assert [(s.name, level) for s, level in parsed] == [
        ("机械制图", "expert"),
        ("CAD绘图", "proficient"),
        ("三维建模", "basic"),
    ]
    assert parse_skill_levels("AutoCAD")[0][0].name == "CAD绘图"  # a synonym
    assert parse_skill_levels("  ") == []
    with pytest.raises(ValidationError) as exc:
        parse_skill_levels("飞檐走壁:精通、机械制图:大师、CAD绘图、CAD绘图")
    text = exc.value.messages[0]
    assert "找不到技能“飞檐走壁”" in text and "“大师”不是可选值" in text and "重复" in text
