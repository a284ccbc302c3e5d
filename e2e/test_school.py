"""The school administrator (demo-school, 郴州职业技术学院): imports students from the xlsx template with one
bad row (the check lists the row and column in Chinese and imports nothing), fixes the row and imports
them, then plans an internship (refused under T16 with the numbers, saved once enough places are in
the city)."""

import re
import time

import openpyxl
from playwright.sync_api import expect

SCHOOL = "郴州职业技术学院"
# The template's data sheet, exactly as the import page serves it (README: 学生 import).
TEMPLATE_HEADERS = (
    "学校代码",
    "学号",
    "姓名",
    "性别",
    "出生年份",
    "生源地",
    "专业代码",
    "年级",
    "入学日期",
    "预计毕业日期",
    "手机号",
    "对企业公开简历",
    "状态",
    "技能",
    "意向产业链",
    "意向工作地",
    "意向岗位类型",
    "期望月薪（元）",
    "身份证号",
)


def unique_numbers(journey, year: int) -> tuple[str, str]:
    """Two 学号 no other run has used: the school year, the viewport, and the time."""
    stamp = f"{int(time.time() * 10) % 10**6:06d}"
    viewport = "1" if journey.viewport == "desktop" else "2"
    return f"{year}9{viewport}{stamp}1", f"{year}9{viewport}{stamp}2"


def wait_for_check(page, status: str) -> None:
    """The job page refreshes itself (htmx) while the worker checks the file; wait for its final badge."""
    expect(page).to_have_url(re.compile(r"/core/imports/\d+/$"))
    expect(page.locator("#import-job-status .badge").first).to_have_text(status, timeout=45_000)


def test_import_students_with_a_bad_row_then_plan_an_internship(journey, tmp_path):
    page = journey.page
    journey.login("demo-school")

    # What to write in the file: the school's code (组织机构 → 学校) and a three-year major it runs this year.
    journey.menu("组织机构", "学校")
    school_row = page.locator("tbody tr").filter(has=page.get_by_role("cell", name=SCHOOL, exact=True))
    school_code = school_row.locator("td").first.inner_text().strip()
    assert re.fullmatch(r"\d{10}", school_code), school_code
    journey.goto(f"/schools/school-majors/?school={school_code}&duration=3y")
    first = page.locator("tbody tr").first
    major_code, major_name = first.locator("td").nth(1).inner_text().split(maxsplit=1)
    year = int(first.locator("td").nth(2).inner_text())

    # 人才供需 → 学生 → 导入: download the xlsx template.
    journey.menu("人才供需", "学生")
    page.locator(".xqt-page-header").get_by_role("link", name="导入").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("导入学生")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 xlsx 模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    journey.shot("school-student-import")

    # Fill it: two new students, the second with a phone number one digit short.
    good_no, bad_no = unique_numbers(journey, year)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.worksheets[0]
    assert tuple(c.value for c in sheet[1]) == TEMPLATE_HEADERS
    rows = {
        good_no: [
            "柳思远",
            "男",
            2008,
            "苏仙区",
            major_code,
            year,
            f"{year}-09-01",
            f"{year + 3}-06-30",
            "13800138000",
        ],
        bad_no: [
            "柳思琪",
            "女",
            2008,
            "北湖区",
            major_code,
            year,
            f"{year}-09-01",
            f"{year + 3}-06-30",
            "1390013900",
        ],
    }
    for line, (number, values) in enumerate(rows.items(), start=2):
        for column, value in enumerate([school_code, number, *values, "不公开", "在读"], start=1):
            sheet.cell(row=line, column=column, value=value)
    bad_file = tmp_path / f"新生名单-{journey.viewport}.xlsx"
    workbook.save(bad_file)

    page.set_input_files("#id_file", bad_file)
    page.get_by_role("button", name="上传并校验").click()
    wait_for_check(page, "校验未通过")
    status = page.locator("#import-job-status")
    expect(status.get_by_role("alert")).to_contain_text("发现 1 处问题，没有导入任何数据")
    problem = status.locator("tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td")).to_have_text(["3", "手机号", re.compile("请输入 11 位手机号")])
    journey.shot("school-student-import-errors")

    # Nothing was written, not even the good row.
    journey.goto(f"/schools/students/?q={good_no}")
    expect(page.get_by_text("没有符合条件的记录。")).to_be_visible()

    # Fix the phone number, upload again, confirm.
    sheet.cell(row=3, column=TEMPLATE_HEADERS.index("手机号") + 1, value="13900139000")
    fixed_file = tmp_path / f"新生名单-{journey.viewport}-已改.xlsx"
    workbook.save(fixed_file)
    journey.goto("/schools/students/import/")
    page.set_input_files("#id_file", fixed_file)
    page.get_by_role("button", name="上传并校验").click()
    wait_for_check(page, "校验通过，待确认")
    expect(status.get_by_role("status")).to_contain_text("将新增 2 条，更新 0 条")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state("networkidle")
    wait_for_check(page, "已导入")
    expect(status.get_by_role("status")).to_contain_text("导入完成：新增 2 条")

    # 查看数据: the two students are in the list.
    status.get_by_role("link", name="查看数据").click()
    page.wait_for_load_state("networkidle")
    for number, name in ((good_no, "柳思远"), (bad_no, "柳思琪")):
        journey.search(number)
        row = page.locator("tbody tr").filter(has_text=number)
        expect(row).to_contain_text(name)
        expect(row).to_contain_text(major_name)
    journey.shot("school-students-imported")

    # 校企合作 → 实习计划 → 新建: a plan with too few places in the city is refused (T16), then saved.
    journey.menu("校企合作", "实习计划")
    page.locator(".xqt-page-header").get_by_role("link", name="新建").click()
    page.wait_for_load_state("networkidle")
    title = f"{major_name}{year - 2}级顶岗实习（{journey.viewport}-{good_no[-7:-1]}）"
    page.select_option("#id_school_major", label=f"{SCHOOL} {major_name}（{year}）")
    page.fill("#id_cohort", str(year - 2))
    page.fill("#id_title", title)
    page.fill("#id_period_start", f"{year + 1}-03-01")
    page.fill("#id_period_end", f"{year + 1}-06-30")
    page.fill("#id_planned_interns", "40")
    page.fill("#id_planned_local", "10")
    journey.allow_console("400")  # the form comes back with its errors as 400 Bad Request
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text(
        "市域内企业实习 10 人，占计划实习人数 40 人的 25.0%，低于 60%（T16"
    )
    page.fill("#id_planned_local", "30")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text(f"已新建实习计划“{title}”")
    expect(page.locator("main")).to_contain_text("30（75.0%）")

    journey.menu("校企合作", "实习计划")
    journey.search(title)
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(row).to_contain_text(major_name)
    journey.shot("school-internship-plans")
