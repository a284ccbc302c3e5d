"""The researcher (demo-researcher): reads de-identified aggregates only. 研究数据 and 目标指标总览 show
figures, with small cells suppressed and no student's name or phone; the students list and a student's own
page are refused."""

import re

from playwright.sync_api import expect

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
DEMO_STUDENT = "张子涵"  # demo-student's name (demo accounts)


def a_student(journey) -> tuple[str, str, str]:
    """A real student's page, name and phone, as the school administrator sees them (then signed out)."""
    page = journey.page
    journey.login("demo-school")
    index = 0 if journey.viewport == "desktop" else 1
    journey.goto("/schools/students/")
    link = page.locator("tbody tr td a[href^='/schools/students/']").nth(index)
    path, name = link.get_attribute("href"), link.inner_text().strip()
    link.click()
    page.wait_for_load_state("networkidle")
    phone = MOBILE.search(page.locator("main").inner_text())
    assert phone, "the school administrator sees the student's phone"
    page.context.clear_cookies()
    return path, name, phone.group()


def assert_no_person(page, names: list[str], phone: str) -> None:
    text = page.locator("main").inner_text()
    for name in names:
        assert name not in text, f"{name} shown to the researcher on {page.url}"
    assert phone not in text
    assert not MOBILE.search(text), f"a mobile number shown to the researcher on {page.url}"


def test_researcher_reads_only_de_identified_aggregates(journey):
    page = journey.page
    student_path, student_name, student_phone = a_student(journey)
    names = [student_name, DEMO_STUDENT]

    journey.login("demo-researcher")
    expect(page.locator("nav.navbar")).to_contain_text("孙立新")
    # The menu offers no list of students.
    expect(page.locator("nav.navbar a[href='/schools/students/']")).to_have_count(0)

    # 分析 → 研究数据: aggregates by 专业类, small cells suppressed.
    journey.menu("分析", "研究数据")
    expect(page.get_by_role("heading", level=1)).to_have_text("研究数据")
    expect(page.locator("[data-lead]")).to_contain_text("已去标识化：不含任何个人信息")
    table = page.locator("table[data-table='aggregates']")
    headers = table.locator("thead th")
    expect(headers.first).to_have_text("代码")
    expect(headers.nth(1)).to_have_text("专业类")
    expect(headers.nth(2)).to_have_text("在校生")
    for personal in ("姓名", "学号", "手机号", "学校"):
        expect(headers.filter(has_text=re.compile(f"^{personal}$"))).to_have_count(0)
    expect(table.locator("tbody tr").first.locator("td").nth(2)).to_have_text(re.compile(r"^\s*\d[\d,]*\s*$"))
    expect(table.locator("td[data-suppressed]").first).to_have_text("<5")
    expect(page.locator("[data-suppression]")).to_contain_text("人数少于 5 的单元格不予显示")
    assert_no_person(page, names, student_phone)
    journey.shot("researcher-aggregates")

    # The same by 产业链 (the page refreshes in place).
    page.select_option("#id_dimension", label="按产业链")
    expect(headers.nth(1)).to_have_text("产业链")
    expect(table.locator("tbody")).to_contain_text("装备制造")
    expect(page.locator("#table-aggregates h2")).to_contain_text("研究数据-产业链-")
    assert_no_person(page, names, student_phone)

    # 治理与目标 → 目标指标总览: the city's figures against the policy's targets.
    journey.menu("治理与目标", "目标指标总览")
    expect(page.get_by_role("heading", level=1)).to_contain_text("目标指标总览")
    t1 = page.locator("tbody tr").filter(has_text="中职毕业生直接升入高职").first
    expect(t1).to_contain_text(re.compile(r"\d+(\.\d)?%"))
    expect(t1).to_contain_text(re.compile(r"\d+ / \d+"))
    assert_no_person(page, names, student_phone)
    journey.shot("researcher-targets")

    # The students list and a student's page are refused.
    journey.allow_console("403")
    response = journey.goto("/schools/students/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("没有权限")
    journey.allow_console("404")
    response = journey.goto(student_path)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    assert_no_person(page, names, student_phone)
    journey.shot("researcher-student-refused")
