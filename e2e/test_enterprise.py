"""Enterprise HR (demo-enterprise, 湖南光强机械设备股份有限公司): post a position and have it published,
have a discriminatory posting refused, review the candidates of a posting and hire one."""

import datetime as dt
import re
import uuid

from playwright.sync_api import expect

HR = "demo-enterprise"
REVIEWER = "demo-hrss"  # 市人社局 reviews postings


def log_out(journey) -> None:
    page = journey.page
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.locator("#xqt-nav a.dropdown-toggle", has=page.locator(".xqt-user-name")).click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state("networkidle")


def fill_position(page, *, title: str, description: str, valid_until: dt.date) -> None:
    page.fill("#id_title", title)
    page.select_option("#id_position_type", label="全职")
    page.fill("#id_description", description)
    page.select_option("#id_min_education", label="高职专科")
    page.fill("#id_headcount", "3")
    page.fill("#id_salary_min", "5500")
    page.fill("#id_salary_max", "8000")
    page.select_option("#id_county", label="郴州高新区")
    page.fill("#id_valid_until", valid_until.isoformat())
    page.fill("#id_wanted_majors", "460301、460305")
    page.select_option("#id_required_skills", label=["PLC编程", "工业机器人操作"])
    page.select_option("#id_bonus_skills", label=["工业机器人编程"])


def unique_title(journey, base: str) -> str:
    return f"{base}-{journey.viewport}-{uuid.uuid4().hex[:6]}"


def test_post_a_position_and_have_it_published(journey):
    page = journey.page
    title = unique_title(journey, "工业机器人运维员")
    valid_until = dt.date.today() + dt.timedelta(days=90)
    journey.login(HR)

    # 人才供需 → 岗位 → 新建: the form, the enterprise filled in from the account and locked.
    journey.menu("人才供需", "岗位")
    page.get_by_role("link", name="新建").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_enterprise")).to_be_disabled()
    fill_position(
        page,
        title=title,
        description="负责工业机器人工作站的日常操作、点检与维护；能识读电气图纸。男女不限，欢迎应届毕业生。",
        valid_until=valid_until,
    )
    journey.shot("enterprise-position-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")

    # The draft's page: what was typed, and the step to submit it for review.
    expect(page.locator("h1")).to_contain_text(title)
    details = page.locator("main")
    expect(details).to_contain_text("460301 机电一体化技术")
    expect(details).to_contain_text("PLC编程")
    expect(details).to_contain_text("工业机器人编程")
    expect(details).to_contain_text("5500–8000")
    expect(page.locator("[data-status]")).to_have_text("草稿")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("alert").filter(has_text="已提交审核")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("待审核")
    position_path = urlparse_path(page.url)

    # Listed among the enterprise's postings, waiting for review.
    journey.menu("人才供需", "岗位")
    journey.search(title)
    row = page.locator("table tbody tr", has_text=title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("待审核")

    # 市人社局 reviews and publishes it.
    log_out(journey)
    journey.login(REVIEWER)
    journey.goto(position_path)
    page.fill("#note-publish", "内容合规，同意发布。")
    page.get_by_role("button", name="审核通过并发布").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-status]")).to_have_text("已发布")

    # Back as HR: published and open, with the reviewer's note.
    log_out(journey)
    journey.login(HR)
    journey.menu("人才供需", "岗位")
    journey.search(title)
    row = page.locator("table tbody tr", has_text=title)
    expect(row).to_contain_text("已发布")
    row.get_by_role("link", name=title).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-status]")).to_have_text("已发布")
    expect(page.locator("main")).to_contain_text("在招")
    expect(page.locator("main")).to_contain_text("内容合规，同意发布。")
    journey.shot("enterprise-position-published")


def urlparse_path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_discriminatory_posting_is_refused(journey):
    page = journey.page
    title = unique_title(journey, "装配钳工")
    journey.login(HR)
    journey.menu("人才供需", "岗位")
    page.get_by_role("link", name="新建").click()
    page.wait_for_load_state("networkidle")
    fill_position(
        page,
        title=title,
        description="负责设备装配与调试。限男性，年龄35岁以下，须本市户籍。",
        valid_until=dt.date.today() + dt.timedelta(days=60),
    )
    journey.allow_console("400")  # the refused form answers 400 Bad Request
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")

    # Refused in Chinese, each offending passage quoted with the law; age is only a hint for the reviewer.
    expect(page.get_by_role("alert").filter(has_text="请修正下面标出的问题后再提交")).to_be_visible()
    error = page.locator(
        "#id_description ~ .invalid-feedback, .xqt-field:has(#id_description) .invalid-feedback"
    )
    expect(error.first).to_contain_text("含有就业歧视性内容")
    expect(error.first).to_contain_text("“限男性”（性别；依据：《中华人民共和国就业促进法》")
    expect(error.first).to_contain_text("“须本市户籍”（户籍或地域；")
    expect(error.first).to_contain_text(
        "招聘信息不得以性别、民族、户籍、婚育、健康、残疾、宗教信仰或容貌等设置条件"
    )
    expect(error.first).not_to_contain_text("年龄")
    expect(page.locator("#id_description")).to_have_value(re.compile("限男性"))  # kept to be rewritten
    journey.shot("enterprise-position-refused")

    # Nothing was saved.
    journey.menu("人才供需", "岗位")
    journey.search(title)
    expect(page.locator("table tbody tr", has_text=title)).to_have_count(0)
    expect(page.locator("main")).to_contain_text("共 0 条记录")

    # Rewritten without the conditions, it saves; the age limit is shown to the reviewer, not refused.
    page.get_by_role("link", name="新建").click()
    page.wait_for_load_state("networkidle")
    fill_position(
        page,
        title=title,
        description="负责设备装配与调试。男女不限，年龄35岁以下。",
        valid_until=dt.date.today() + dt.timedelta(days=60),
    )
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("[data-status]")).to_have_text("草稿")
    hint = page.locator(".alert", has_text="请审核人员留意（不阻止发布）")
    expect(hint).to_contain_text("年龄")


def test_review_candidates_and_hire(journey):
    page = journey.page
    journey.login(HR)

    # 人才供需 → 求职申请, only those just received (已投递): the first one (each run takes the next).
    journey.menu("人才供需", "求职申请")
    journey.open_filters()
    page.select_option("#id_status", label="已投递")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_contain_text("已投递")
    first = rows.first
    student = first.locator("td").nth(1).inner_text().strip()
    first.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text(student)
    application_path = urlparse_path(page.url)

    # The posting: places taken, and its recommended candidates with the reasons and what they lack.
    page.get_by_role("link", name="查看岗位").click()
    page.wait_for_load_state("networkidle")
    progress = page.locator("section", has_text="招聘进展")
    taken_text = progress.get_by_text(re.compile(r"招聘 \d+ 人，已录用 \d+ 人")).inner_text()
    headcount, taken = (int(n) for n in re.findall(r"\d+", taken_text)[:2])
    assert taken < headcount, f"the posting of the first new application is full: {taken_text}"
    page.get_by_role("link", name="推荐人选").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".breadcrumb")).to_contain_text("推荐人选")
    expect(page.locator("main")).to_contain_text("仅显示同意向企业公开简历的学生")
    candidates = page.locator("table tbody tr")
    expect(candidates.first).to_contain_text("%")
    expect(candidates.first).to_contain_text(re.compile("岗位需求专业|必备技能|岗位描述"))
    journey.shot("enterprise-candidates")

    # Back to the application: invite to an interview, then hire.
    journey.goto(application_path)
    page.select_option("#to-status", label="面试")
    page.fill("#advance-note", "请于周三上午到公司面试")
    page.get_by_role("button", name="确定").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("alert").filter(has_text="申请已变为“面试”")).to_be_visible()
    timeline = page.locator("section", has_text="申请进展")
    expect(timeline).to_contain_text("请于周三上午到公司面试")

    page.select_option("#to-status", label="录用")
    page.fill("#advance-note", "面试通过，欢迎加入")
    page.get_by_role("button", name="确定").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("alert").filter(has_text="申请已变为“录用”")).to_be_visible()
    expect(journey.detail("状态")).to_have_text("录用")
    items = timeline.locator("li")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("已投递")
    expect(items.nth(1)).to_contain_text("面试")
    expect(items.nth(2)).to_contain_text("录用")
    expect(items.nth(2)).to_contain_text("面试通过，欢迎加入")
    journey.shot("enterprise-application-offered")

    # The posting counts one more place taken.
    page.get_by_role("link", name="查看岗位").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("section", has_text="招聘进展")).to_contain_text(
        f"招聘 {headcount} 人，已录用 {taken + 1} 人"
    )
