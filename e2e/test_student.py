"""The student's journey (demo-student, 张子涵, 郴州职业技术学院 机械设计与制造): complete the profile, read
the recommendations with their reasons, apply to a position, and write this week's internship log (张子涵 has
an active placement at 湖南光强机械设备股份有限公司, with 赵国平 = demo-mentor as enterprise mentor).

Each viewport runs against the same server: the profile change, the position applied to and the log are
chosen from what the page shows, so the second run does the journey again on what the first one left."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

# A skill each viewport adds (both are required by postings recommended to the demo student) and its pay.
NEW_SKILL = {"desktop": "PLC编程", "phone": "工业机器人编程"}
SALARY = {"desktop": "5000", "phone": "5500"}


def today_in_chenzhou() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_student_profile_recommendations_application_and_log(journey):
    page = journey.page
    skill, salary = NEW_SKILL[journey.viewport], SALARY[journey.viewport]
    journey.login("demo-student")
    expect(page.locator("main")).to_contain_text("您好，张子涵")

    # --- the profile: add a skill, raise the expected pay, want apprenticeships too; see it saved ----------
    journey.menu("人才供需", "我的档案")
    expect(page.locator("h1")).to_contain_text("张子涵（20240070001）")
    page.get_by_role("link", name="编辑", exact=True).click()
    expect(page.locator("#id_student_no")).to_be_disabled()  # the school's fields stay locked
    skills = page.locator("#id_skills_text")
    current = skills.input_value().strip()
    if skill not in current:
        skills.fill(f"{current}、{skill}:熟练" if current else f"{skill}:熟练")
    page.fill("#id_salary_expectation", salary)
    page.get_by_label("学徒", exact=True).check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".xqt-messages")).to_contain_text("已保存“张子涵（20240070001）”")
    expect(journey.detail("期望月薪（元）")).to_have_text(salary)
    expect(journey.detail("技能")).to_contain_text(f"{skill}（熟练）")
    expect(journey.detail("意向岗位类型")).to_contain_text("学徒")
    journey.shot("student-profile")

    # --- the recommendations, each with its reasons; the new skill is no longer advised ----------------
    journey.menu("人才供需", "为我推荐")
    expect(page.locator("h1")).to_have_text("为我推荐")
    expect(page.locator("#positions-title")).to_contain_text("为您推荐的")
    cards = page.locator("article[data-position]")
    expect(cards.first).to_be_visible()
    first = cards.first
    expect(first.locator(".xqt-match-reasons li").first).to_be_visible()
    expect(first.locator(".xqt-match-reasons")).to_contain_text("所学专业对接装备制造产业链")
    expect(first).to_contain_text("%")
    # The skill just added now counts: it is advised nowhere, and some posting says it is covered.
    expect(page.locator("[data-missing-required] .badge", has_text=re.compile(f"^{skill}$"))).to_have_count(0)
    expect(page.locator(".xqt-match-reasons", has_text="必备技能覆盖").first).to_be_visible()
    journey.shot("student-for-me")

    # --- apply to the best posting not applied to yet (invited ones go through the invitation) ---------
    card = cards.filter(has=page.get_by_role("button", name="投递简历")).first
    title = card.locator("a.fw-semibold").inner_text().strip()
    card.get_by_role("button", name="投递简历").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".xqt-messages")).to_contain_text(f"已投递“{title}”")
    expect(journey.detail("岗位")).to_have_text(title)
    expect(journey.detail("状态")).to_have_text("已投递")
    expect(page.locator(".xqt-timeline")).to_contain_text("已投递")
    application_url = page.url
    journey.menu("人才供需", "求职申请")
    row = page.locator(
        "tbody tr", has=page.locator(f"a[href='{application_url.removeprefix(journey.base)}']")
    )
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("已投递")
    journey.shot("student-applications")

    # --- this week's internship log -------------------------------------------------------------------
    journey.menu("校企合作", "我的实习")
    placement = page.locator("section.card", has_text="湖南光强机械设备股份有限公司")
    expect(placement).to_contain_text("企业导师：赵国平")
    expect(placement.locator(".badge").first).to_have_text("实习中")
    today = today_in_chenzhou()
    monday = today - dt.timedelta(days=today.weekday())
    week = f"{monday:%Y-%m-%d} 这一周"
    logs = placement.locator("ul.list-group").first
    write = placement.get_by_role("link", name=re.compile("写本周周志|补写周志"))
    first_time = "写本周周志" in write.inner_text()
    content = f"本周在数控车间跟班实习（{journey.viewport}），学习了 {skill} 的基本操作，完成首件检验 6 次。"
    write.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_placement")).to_contain_text("湖南光强机械设备股份有限公司")
    page.fill("#id_week_start", today.isoformat())
    page.fill("#id_content", content)
    page.fill("#id_hours", "40")
    expect(page.locator("#id_submit")).to_be_checked()
    if first_time:
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state("networkidle")
        expect(page.locator(".xqt-messages")).to_contain_text("已新建实习周志")
        expect(journey.detail("状态")).to_have_text("待会签")
        expect(journey.detail("本周工作与收获")).to_have_text(content)
        journey.menu("校企合作", "我的实习")
        expect(logs.locator("li", has_text=week)).to_contain_text("待会签")
    else:
        # This week's log was written in the other viewport: a second one for the same week is refused.
        journey.allow_console("400")
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state("networkidle")
        expect(page.locator(".invalid-feedback").first).to_contain_text(
            "这一周的周志已经写过了，请在原周志上修改"
        )
        journey.menu("校企合作", "我的实习")
        expect(logs.locator("li", has_text=week)).to_have_count(1)
    journey.shot("student-internship")
