"""Teacher (demo-teacher, 郴州职业技术学院): grade the theory part (理论教学) of a dual-mentor assessment (R5)
from 待评分, cell by cell, and see the grades saved and the combined grade computed."""

import re

from playwright.sync_api import expect

TEACHER = "demo-teacher"
COURSE = "职业技能鉴定强化"


def plan_row(page):
    """The demo plan's line in 待评分: 计算机应用技术, 2025 cohort."""
    return (
        page.locator("table[data-table='to-grade'] tbody tr", has_text=COURSE)
        .filter(has_text="计算机应用技术")
        .filter(has=page.locator("td", has_text=re.compile(r"^2025$")))
    )


def ungraded_row(page, *, practice_graded: bool):
    """The first student whose theory score is still empty, with or without a practice grade."""
    for row in page.locator("table[data-table='grades'] tbody tr[data-student]").all():
        if row.locator("td[data-part='theory'] input[name='score']").input_value():
            continue
        has_practice = row.locator("td[data-part='practice'] span.fw-semibold").count() > 0
        if has_practice == practice_graded:
            return row
    raise AssertionError(f"no student left without a theory grade (practice graded: {practice_graded})")


def summary_count(page, label: str) -> int:
    text = page.locator("#grid-title ~ span").inner_text()
    return int(re.search(rf"{label} (\d+)", text).group(1))


def test_grade_theory(journey):
    page = journey.page
    journey.login(TEACHER)

    # 培养质量 → 待评分: the plans waiting for this teacher's part.
    journey.menu("培养质量", "待评分")
    expect(page.locator("main")).to_contain_text("您负责评定“理论教学”部分")
    row = plan_row(page)
    expect(row).to_have_count(1)
    missing = int(row.locator("td").nth(7).inner_text())
    journey.shot("teacher-to-grade")
    row.get_by_role("link", name=COURSE).click()
    page.wait_for_load_state("networkidle")

    # The plan's grid: theory is the teacher's to edit, practice (the enterprise mentor's) is read-only.
    expect(page.locator("h1")).to_contain_text(COURSE)
    expect(page.locator("main")).to_contain_text("您负责评定“理论教学”部分，另一部分只读。")
    expect(page.locator("td[data-part='practice'] input")).to_have_count(0)
    theory_weight, practice_weight = (
        int(re.search(r"（(\d+)%）", page.locator("thead th").nth(i).inner_text()).group(1)) for i in (2, 3)
    )
    graded_before = summary_count(page, "理论已评")

    # A student whose practice part is graded: the combined grade appears as soon as theory is saved.
    first = ungraded_row(page, practice_graded=True)
    student_no = first.get_attribute("data-student")
    practice = float(first.locator("td[data-part='practice'] span.fw-semibold").inner_text())
    theory = 86
    theory_cell = first.locator("td[data-part='theory']")
    theory_cell.locator("input[name='score']").fill(str(theory))
    theory_cell.locator("input[name='comment']").fill(f"理论扎实，作业完整（{journey.viewport}）")
    theory_cell.get_by_role("button", name="保存").click()
    saved = page.locator(f"tr[data-student='{student_no}']")
    expect(saved.locator("td[data-part='theory']")).to_contain_text("导师评分 · demo-teacher")
    combined = theory * theory_weight / 100 + practice * practice_weight / 100
    expect(saved.locator("td[data-combined]")).to_have_text(f"{combined:.1f}")
    expect(saved).to_contain_text("及格" if combined >= 60 else "不及格")

    # A student without a practice grade yet: saved, the combined grade waits for the mentor.
    second = ungraded_row(page, practice_graded=False)
    second_no = second.get_attribute("data-student")
    cell = second.locator("td[data-part='theory']")
    cell.locator("input[name='score']").fill("74.5")
    cell.get_by_role("button", name="保存").click()
    saved_second = page.locator(f"tr[data-student='{second_no}']")
    expect(saved_second.locator("td[data-part='theory']")).to_contain_text("导师评分 · demo-teacher")
    expect(saved_second.locator("td[data-combined]")).to_have_text("—")
    expect(saved_second).to_contain_text("待评完")

    # Reloaded, the grades are kept and counted.
    page.reload()
    page.wait_for_load_state("networkidle")
    kept = page.locator(f"tr[data-student='{student_no}'] td[data-part='theory']")
    expect(kept.locator("input[name='score']")).to_have_value(re.compile(rf"^{theory}(\.0)?$"))
    expect(kept.locator("input[name='comment']")).to_have_value(f"理论扎实，作业完整（{journey.viewport}）")
    expect(
        page.locator(f"tr[data-student='{second_no}'] td[data-part='theory'] input[name='score']")
    ).to_have_value("74.5")
    assert summary_count(page, "理论已评") == graded_before + 2
    journey.shot("teacher-grade-theory")

    # 待评分 shows two fewer left to grade.
    journey.menu("培养质量", "待评分")
    expect(plan_row(page).locator("td").nth(7)).to_have_text(str(missing - 2))
