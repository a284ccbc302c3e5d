"""The enterprise mentor's journey (demo-mentor, 赵国平 of 湖南光强机械设备股份有限公司): countersign an
intern's weekly log, then grade the practice part (实践操作) of a dual-mentor assessment (R5).

Each viewport takes the first log still waiting and the first student whose practice is not graded yet, so
the second run works on what the first one left (the demo has three logs waiting and dozens of grades)."""

import re
from decimal import ROUND_HALF_UP, Decimal

from playwright.sync_api import expect

COMMENT = {"desktop": "工作认真，记录详实。", "phone": "操作规范，继续保持。"}
SCORE = {"desktop": "88.5", "phone": "76.5"}  # one decimal, as the grid shows them


def test_mentor_countersigns_a_log(journey):
    page = journey.page
    comment = COMMENT[journey.viewport]
    journey.login("demo-mentor")
    expect(page.locator("main")).to_contain_text("您好，赵国平")

    journey.menu("校企合作", "待会签周志")
    expect(page.locator("h1")).to_have_text("待会签周志")
    article = page.locator("article[aria-labelledby^='log-']").first
    expect(article).to_be_visible()
    log_id = article.get_attribute("aria-labelledby").removeprefix("log-")
    heading = article.locator(f"#log-{log_id}").inner_text()
    student, week = (part.strip() for part in heading.split("·"))
    waiting = page.locator("article[aria-labelledby^='log-']").count()
    journey.shot("mentor-pending-logs")

    article.get_by_label("导师意见（会签时可选，退回时必填）").fill(comment)
    article.get_by_role("button", name="会签", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".xqt-messages")).to_contain_text("已会签。")
    expect(page.locator(f"#log-{log_id}")).to_have_count(0)
    expect(page.locator("article[aria-labelledby^='log-']")).to_have_count(waiting - 1)

    # The log's own page (found under 实习周志 by the student's name) says who countersigned it and when.
    journey.menu("校企合作", "实习周志")
    filters = page.get_by_role("button", name="筛选")
    if filters.is_visible():  # folded on a phone
        filters.click()
    page.get_by_label("搜索").fill(student)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    listed = page.locator("tbody tr", has=page.locator(f"a[href='/cooperation/internship-logs/{log_id}/']"))
    expect(listed).to_contain_text(student)
    expect(listed).to_contain_text("已会签")
    listed.get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    expect(journey.detail("学生")).to_have_text(student)
    expect(journey.detail("周次")).to_contain_text(week.removesuffix(" 这一周"))
    expect(journey.detail("状态")).to_have_text("已会签")
    expect(journey.detail("会签人")).to_contain_text("赵国平")
    expect(journey.detail("会签时间")).not_to_have_text("—")
    expect(journey.detail("导师意见")).to_have_text(comment)


def test_mentor_grades_practice(journey):
    page = journey.page
    score = SCORE[journey.viewport]
    journey.login("demo-mentor")

    journey.menu("培养质量", "待评分")
    expect(page.locator("h1")).to_have_text("待评分")
    expect(page.locator("main")).to_contain_text("您负责评定“实践操作”部分")
    plans = page.locator("table[data-table='to-grade'] tbody tr")
    expect(plans.first).to_be_visible()
    plans.first.locator("a").first.click()
    page.wait_for_load_state("networkidle")

    grid = page.locator("table[data-table='grades']")
    expect(page.locator("main")).to_contain_text("您负责评定“实践操作”部分，另一部分只读")
    headers = grid.locator("thead th")
    theory_weight = int(re.search(r"(\d+)%", headers.nth(2).inner_text()).group(1))
    practice_weight = int(re.search(r"(\d+)%", headers.nth(3).inner_text()).group(1))
    assert theory_weight + practice_weight == 100
    pass_score = Decimal(re.search(r"([\d.]+) 分及格", page.locator("main").inner_text()).group(1))
    summary = page.locator("#grid-title ~ span")
    graded_before = int(re.search(r"实践已评 (\d+)", summary.inner_text()).group(1))

    # The theory part is the teacher's: no field to type in; the practice part is a form on every row.
    expect(grid.locator("td[data-part='theory'] input")).to_have_count(0)
    rows = grid.locator("tbody tr[data-student]")
    ungraded = [
        rows.nth(i)
        for i in range(rows.count())
        if not rows.nth(i).locator("input[name='score']").input_value()
    ]
    assert ungraded, "every student of the plan has a practice grade"
    # Prefer a student whose theory grade is in, so that the combined grade shows.
    with_theory = [
        row for row in ungraded if "未评" not in row.locator("td[data-part='theory']").inner_text()
    ]
    row = (with_theory or ungraded)[0]
    student_no = row.get_attribute("data-student")
    theory_text = row.locator("td[data-part='theory'] .fw-semibold")
    theory = Decimal(theory_text.inner_text()) if with_theory else None

    row.get_by_label(re.compile("的成绩$")).fill(score)
    row.get_by_label(re.compile("的评语$")).fill(f"实操规范（{journey.viewport}）")
    row.get_by_role("button", name="保存").click()
    row = grid.locator(f"tr[data-student='{student_no}']")  # htmx swapped the row
    practice = row.locator("td[data-part='practice']")
    expect(practice).to_contain_text("导师评分 · demo-mentor")
    if theory is None:
        expect(row.locator("td[data-combined]")).to_have_text("—")
        expect(row).to_contain_text("待评完")
    else:
        combined = ((theory * theory_weight + Decimal(score) * practice_weight) / 100).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
        expect(row.locator("td[data-combined]")).to_have_text(str(combined))
        expect(row.locator(".badge")).to_have_text("及格" if combined >= pass_score else "不及格")

    # Saved: after a reload the grade is there and counted.
    page.reload()
    page.wait_for_load_state("networkidle")
    row = grid.locator(f"tr[data-student='{student_no}']")
    expect(row.locator("input[name='score']")).to_have_value(score)
    expect(row.locator("input[name='comment']")).to_have_value(f"实操规范（{journey.viewport}）")
    expect(summary).to_contain_text(f"实践已评 {graded_before + 1}")
    journey.shot("mentor-grading")
