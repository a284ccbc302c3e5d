"""Officers' journeys (issue 12): 市教育局 reads the targets dashboard and drills down to the records
behind a number, and the supply-demand analytics; 市人社局 reviews postings; 市发改委 accepts a
产教融合型企业 application and files progress on its overdue milestone of the responsibility list.

Each test runs in both viewports against the same demo, one after the other: the postings reviewed are
whichever wait first at the time, the progress report is a new one each run, and the one application that
waits for 市发改委 in the demo is accepted by the first run, the second finding it accepted (said so below).
"""

import datetime
import re

from playwright.sync_api import expect

STATES = {"达标", "接近目标", "未达标", "暂无数据", "只监测"}
APPLICANT = "郴州银伟通用设备有限公司"  # the demo's application waiting for 市发改委
OVERDUE = "产教融合实习实训基地年度遴选"  # 市发改委's overdue milestone (task 8)
SCHOOL = "郴州职业技术学院"
# A small valid PDF, as an officer would attach a scanned document.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def record_count(page) -> int:
    """The ``共 N 条记录`` of a list page."""
    text = page.get_by_text(re.compile(r"共 \d+ 条记录")).first.inner_text()
    return int(re.search(r"共 (\d+) 条记录", text).group(1))


def test_education_bureau_reads_targets_and_drills_down(journey):
    page = journey.page
    journey.login("demo-gov")
    journey.menu("治理与目标", "目标指标总览")
    expect(page.locator("h1")).to_contain_text("年目标指标总览")

    # Every target (T1-T25 with T21a/b and T22a/b) and rule (R1-R5), each with its state.
    rows = page.locator("[data-summary] tbody tr[data-target]")
    expect(rows).to_have_count(32)
    for code in ("T1", "T16", "T25", "R1", "R5"):
        expect(page.locator(f"tr[data-target='{code}']")).to_be_visible()
    badges = rows.locator("td .badge").all_inner_texts()
    assert len(badges) == 32 and set(badges) <= STATES, badges
    counts = {}
    for button in page.locator("[data-counts] a[data-count]").all():
        label, n = button.inner_text().rsplit(maxsplit=1)
        counts[label] = int(n)
    assert sum(counts.values()) == 32 and set(counts) == STATES, counts
    assert badges.count("未达标") == counts["未达标"]
    journey.shot("gov-targets")

    # Only the red ones.
    page.locator("[data-counts] a", has_text="未达标").click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"state=red"))
    expect(rows).to_have_count(counts["未达标"])
    expect(rows.locator("td .badge")).to_have_text(["未达标"] * counts["未达标"])

    # One target: definition, the city's figure, its history and every school with its numbers.
    page.locator("[data-counts] a", has_text="全部").click()
    page.wait_for_load_state("networkidle")
    page.locator("tr[data-target='T16'] th a").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("T16 市域内企业实习生占比")
    expect(page.locator("[data-definition]")).to_contain_text("不得低于实习生总数的 60%")
    expect(page.locator("[data-city] .badge")).to_have_text(re.compile("|".join(STATES)))
    year = int(page.locator("#year").input_value())
    history = page.locator("[data-history] tbody tr")
    expect(history).to_have_count(year - 2021 + 1)
    expect(page.locator(f"[data-history] tr[data-year='{year}']")).to_contain_text("≥ 60.0%")
    schools = page.locator("[data-scope='school'] tbody tr")
    expect(schools).to_have_count(12)
    row = schools.filter(has_text=SCHOOL)
    expect(row.locator(".badge")).to_have_text(re.compile("|".join(STATES)))
    numbers = row.locator("td").nth(1).inner_text()
    denominator = int(numbers.split("/")[1].strip())
    journey.shot("gov-target-T16")

    # 记录: the placements behind the school's figure, exactly as many as its denominator.
    row.get_by_role("link", name="记录").click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"/cooperation/placements/\?school=\d+"))
    assert record_count(page) == denominator
    expect(page.locator("table tbody tr").first).to_contain_text(SCHOOL)

    # 供需总览: a 专业类's demand, drilled down to its figures and the records behind them.
    journey.menu("分析", "供需总览")
    expect(page.locator("h1")).to_contain_text("供需总览")
    first = page.locator("table[data-table='classes'] tbody tr").first
    name = first.locator("td").first.inner_text()
    demand = first.locator("td").nth(3).inner_text()
    journey.shot("gov-analytics")
    first.locator("td").nth(3).get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text(f"专业类：{name}")
    expect(page.locator("[data-current]")).to_contain_text(demand)
    records = page.locator("[data-records] a[data-record]")
    expect(records.filter(has_text="招聘岗位")).to_have_count(1)
    journey.shot("gov-analytics-drilldown")
    records.filter(has_text="开设专业").click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"/schools/school-majors/\?.*major="))
    assert record_count(page) > 0


def review_first_waiting(journey) -> tuple[int, str]:
    """From the home counter 待审核岗位 to the first posting waiting; how many wait, and its name."""
    page = journey.page
    journey.goto("/")
    page.get_by_role("link", name="待审核岗位", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"status=submitted"))
    waiting = record_count(page)
    link = page.locator("table tbody tr").first.get_by_role("link").first
    name = link.inner_text()
    link.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-status]")).to_have_text("待审核")
    return waiting, name


def test_hrss_reviews_postings(journey):
    page = journey.page
    journey.login("demo-hrss")

    # Return one, with the reasons the enterprise will read.
    waiting, _ = review_first_waiting(journey)
    assert waiting > 0
    reason = f"岗位职责描述过于简单，请补充工作内容和实习安排（{journey.viewport}）。"
    page.fill("#note-return", reason)
    page.get_by_role("button", name="退回修改").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("已退回企业修改。")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("已退回")
    expect(page.locator(".alert", has_text="审核意见")).to_contain_text(reason)
    expect(page.get_by_role("button", name="审核通过并发布")).to_have_count(0)
    journey.shot("hrss-position-returned")

    # The next one waiting is published; the queue is one shorter each time.
    waiting_now, _ = review_first_waiting(journey)
    assert waiting_now == waiting - 1
    page.fill("#note-publish", "岗位信息完整，同意发布。")
    page.get_by_role("button", name="审核通过并发布").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("已发布，学生现在可以投递。")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("已发布")
    expect(page.locator(".badge", has_text="在招")).to_be_visible()
    journey.goto("/enterprises/positions/?status=submitted")
    assert record_count(page) == waiting - 2


def test_ndrc_accepts_application_and_reports_progress(journey):
    page = journey.page
    journey.login("demo-ndrc")

    # The application waiting: the desktop run accepts it; the phone run (after it) finds it accepted.
    page.get_by_role("link", name="待受理的认定申请", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"/certification/applications/"))
    waiting = page.locator("table tbody tr", has_text=APPLICANT)
    if journey.viewport == "desktop" or waiting.count():
        waiting.get_by_role("link").first.click()
        page.wait_for_load_state("networkidle")
        expect(page.locator("h1")).to_contain_text(APPLICANT)
        expect(page.locator("body")).to_contain_text("待受理")
        due = datetime.date.today() + datetime.timedelta(days=14)
        form = page.locator("[data-accept-form]")
        form.locator("#id_departments").select_option(label=["郴州市教育局", "郴州市人力资源和社会保障局"])
        form.locator("#id_opinions_due").fill(due.isoformat())
        journey.shot("ndrc-application-accept")
        form.get_by_role("button", name="受理", exact=True).click()
        page.wait_for_load_state("networkidle")
        expect(page.get_by_text("已受理，并向所选部门征求意见。")).to_be_visible()
        expect(page.locator("[data-opinions]")).to_contain_text(f"征求意见截止：{due.isoformat()}")
    else:
        expect(waiting).to_have_count(0)
        journey.menu("产教融合型企业", "认定申请")
        page.locator("table tbody tr", has_text=APPLICANT).get_by_role("link").first.click()
        page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text(APPLICANT)
    expect(page.locator("body")).to_contain_text("审核中")
    opinions = page.locator("[data-opinions] [data-opinion]")
    expect(opinions).to_have_count(2)
    expect(opinions.filter(has_text="郴州市教育局").locator(".badge")).to_have_text("待出具")
    expect(opinions.filter(has_text="郴州市人力资源和社会保障局").locator(".badge")).to_have_text("待出具")
    expect(page.locator("[data-accept-form]")).to_have_count(0)

    # 我的任务: the overdue milestone, and a progress report on it with a PDF.
    journey.menu("治理与目标", "我的任务")
    warning = page.locator("[data-overdue-warning]")
    expect(warning).to_contain_text(OVERDUE)
    expect(page.locator("[data-task='8'] .card-header .badge", has_text="已逾期")).to_be_visible()
    journey.shot("ndrc-my-tasks")
    warning.get_by_role("link", name=re.compile(OVERDUE)).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-overdue-warning]")).to_contain_text("本节点已逾期")
    percent = 80 if journey.viewport == "desktop" else 85
    text = f"已完成 12 家企业的遴选初审，正在组织现场核查（{journey.viewport}）。"
    form = page.locator("[data-report-form]")
    form.locator("#id_milestone").select_option(label=OVERDUE)
    form.locator("#id_percent").fill(str(percent))
    form.locator("#id_text").fill(text)
    form.locator("#id_problems").fill("部分县市区推荐材料报送滞后。")
    form.locator("#id_next_steps").fill("月底前完成现场核查并公示名单。")
    attachment = f"遴选初审情况-{journey.viewport}.pdf"
    form.locator("#id_attachment").set_input_files(
        {"name": attachment, "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_role("button", name="报送").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("已报送进展。")).to_be_visible()
    newest = page.locator("[data-reports] > li").first
    expect(newest).to_contain_text(text)
    expect(newest).to_contain_text(f"{OVERDUE} {percent}%")
    expect(newest).to_contain_text("部分县市区推荐材料报送滞后。")
    link = newest.locator("a", has_text="遴选初审情况")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    journey.shot("ndrc-progress-reported")
