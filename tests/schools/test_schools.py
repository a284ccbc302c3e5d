"""Pages, API, import/export and audit for every school model (from the core base classes)."""

from xiaoqitong.core.testing import ImportTests, ModelTests
from xiaoqitong.reference.models import IndustryChain
from xiaoqitong.schools import views

from ..orgs.factories import EnterpriseFactory, SchoolFactory
from .factories import (
    SECONDARY_MAJOR,
    SchoolMajorFactory,
    StudentFactory,
    TeacherFactory,
    TeacherPracticeFactory,
    major,
    region,
)


class TestSchoolMajor(ImportTests, ModelTests):
    views = views.SchoolMajorViews
    api_url = "/api/v1/schools/school-majors/"
    factory = SchoolMajorFactory
    update_data = {"students_enrolled": 150}

    def form_data(self):
        return {
            "school": SchoolFactory(code="4143090001").pk,
            "major": major().pk,
            "year": 2025,
            "duration": "3y",
            "enrolment_plan": 60,
            "new_enrolment": 50,
            "students_enrolled": 140,
            "expected_graduates": 40,
            "chains": [IndustryChain.objects.get(code="equipment").pk],
        }

    def api_data(self):
        return {
            "school": SchoolFactory(code="4143090002").code,
            "major": SECONDARY_MAJOR,
            "year": 2025,
            "duration": "3y",
            "enrolment_plan": 60,
            "new_enrolment": 50,
            "students_enrolled": 140,
            "expected_graduates": 40,
            "chains": ["equipment", "new-it"],
        }

    def unique_form_keys(self):
        return ["school", "major", "year"]

    def import_rows(self):
        SchoolFactory(code="4143090003")
        base = {
            "学校代码": "4143090003",
            "专业代码": "660103",
            "年度": "2024",
            "学制": "三年制",
            "招生计划": "50",
            "实际招生": "48",
            "在校生数": "150",
            "预计毕业生数": "45",
            "实际毕业生数": "",
            "省级高水平专业（群）": "否",
            "优质专业（群）": "是",
            "对接产业链": "装备制造、新材料",
        }
        return [base, base | {"专业代码": "710201", "对接产业链": "", "优质专业（群）": "否"}]


class TestStudent(ImportTests, ModelTests):
    views = views.StudentViews
    api_url = "/api/v1/schools/students/"
    factory = StudentFactory
    update_data = {"name": "李新名"}

    def form_data(self):
        school_major = SchoolMajorFactory(school=SchoolFactory(code="4143090011"), year=2024)
        return {
            "school": school_major.school.pk,
            "school_major": school_major.pk,
            "student_no": "2024001",
            "name": "王小明",
            "gender": "male",
            "birth_year": 2008,
            "hometown": region().pk,
            "grade": 2024,
            "entry_date": "2024-09-01",
            "phone": "13800001111",
            "consent": "deidentified",
            "status": "studying",
            "skills_text": "机械制图:熟练、CAD绘图:精通",
            "preferred_chains": [IndustryChain.objects.get(code="equipment").pk],
            "preferred_counties": [region().pk],
            "preferred_position_types": ["full_time", "internship"],
            "salary_expectation": 4500,
        }

    def api_data(self):
        school_major = SchoolMajorFactory(school=SchoolFactory(code="4143090012"), year=2024)
        return {
            "school": school_major.school.code,
            "school_major": school_major.pk,
            "student_no": "2024002",
            "name": "张小红",
            "gender": "female",
            "grade": 2024,
            "skills": [{"skill": "机械制图", "level": "expert"}],
            "preferred_chains": ["equipment"],
            "preferred_counties": ["431002"],
            "preferred_position_types": ["apprenticeship"],
        }

    def unique_form_keys(self):
        return ["school", "school_major", "student_no", "grade"]

    def import_rows(self):
        school = SchoolFactory(code="4143090013")
        SchoolMajorFactory(school=school, year=2023)
        base = {
            "学校代码": "4143090013",
            "学号": "2023001",
            "姓名": "刘一",
            "性别": "男",
            "出生年份": "2007",
            "生源地": "北湖区",
            "专业代码": "660103",
            "年级": "2023",
            "入学日期": "2023-09-01",
            "预计毕业日期": "2026-06-30",
            "手机号": "13812345678",
            "对企业公开简历": "匿名公开",
            "状态": "在读",
            "技能": "机械制图:熟练、CAD绘图",
            "意向产业链": "装备制造",
            "意向工作地": "北湖区、431003",
            "意向岗位类型": "全职、实习",
            "期望月薪（元）": "4000",
            "身份证号": "",
        }
        return [base, base | {"学号": "2023002", "姓名": "陈二", "性别": "女", "技能": "", "意向工作地": ""}]


class TestTeacher(ImportTests, ModelTests):
    views = views.TeacherViews
    api_url = "/api/v1/schools/teachers/"
    factory = TeacherFactory
    update_data = {"name": "周新名"}

    def form_data(self):
        return {
            "school": SchoolFactory(code="4143090021").pk,
            "staff_no": "T9001",
            "name": "赵老师",
            "employment": "full_time",
            "is_dual_qualified": "on",
            "dual_qualified_date": "2023-06-01",
            "dual_qualified_evidence": "企业实践证明",
            "title": "intermediate",
            "master_level": "city",
            "phone": "13900001111",
        }

    def api_data(self):
        return {
            "school": SchoolFactory(code="4143090022").code,
            "staff_no": "T9002",
            "name": "钱老师",
            "employment": "part_time",
            "title": "none",
        }

    def unique_form_keys(self):
        return ["school", "staff_no"]

    def import_rows(self):
        SchoolFactory(code="4143090023")
        base = {
            "学校代码": "4143090023",
            "工号": "T001",
            "姓名": "孙老师",
            "聘任方式": "专任",
            "“双师型”教师": "是",
            "“双师型”认定日期": "2022-07-01",
            "“双师型”认定依据": "职业资格证书",
            "职称": "副高级",
            "教学名师": "市级",
            "特岗教师": "否",
            "手机号": "",
            "本职单位统一社会信用代码": "",
        }
        return [
            base,
            base
            | {
                "工号": "T002",
                "姓名": "吴老师",
                "聘任方式": "兼职",
                "“双师型”教师": "否",
                "“双师型”认定日期": "",
                "“双师型”认定依据": "",
                "职称": "无职称",
                "教学名师": "",
            },
        ]


class TestTeacherPractice(ImportTests, ModelTests):
    views = views.TeacherPracticeViews
    api_url = "/api/v1/schools/teacher-practices/"
    factory = TeacherPracticeFactory
    update_data = {"days": 45}

    def form_data(self):
        return {
            "teacher": TeacherFactory().pk,
            "enterprise": EnterpriseFactory().credit_code,
            "year": 2025,
            "days": 20,
        }

    def api_data(self):
        return {
            "teacher": TeacherFactory().pk,
            "enterprise": EnterpriseFactory().credit_code,
            "year": 2025,
            "days": 25,
        }

    def unique_form_keys(self):
        return ["teacher", "enterprise", "year"]

    def _form_value(self, obj, name):
        if name == "enterprise":
            return obj.enterprise.credit_code
        return super()._form_value(obj, name)

    def import_rows(self):
        teacher = TeacherFactory(school=SchoolFactory(code="4143090031"), staff_no="T100")
        other = TeacherFactory(school=SchoolFactory(code="4143090032"), staff_no="T100")
        enterprise = EnterpriseFactory()
        return [
            {
                "学校代码": teacher.school.code,
                "工号": "T100",
                "企业统一社会信用代码": enterprise.credit_code.lower(),
                "年度": "2024",
                "天数": "30",
            },
            {
                "学校代码": other.school.code,
                "工号": "T100",
                "企业统一社会信用代码": enterprise.credit_code,
                "年度": "2024",
                "天数": "15",
            },
        ]
