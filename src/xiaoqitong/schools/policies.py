"""Who may do what with school majors, students and teachers (to be completed with the app)."""

from xiaoqitong.core.policy import Policy, register

from .models import SchoolMajor, Student, StudentSkill, Teacher, TeacherPractice

for _model in (SchoolMajor, Student, StudentSkill, Teacher, TeacherPractice):
    register(_model)(type(f"{_model.__name__}Policy", (Policy,), {"rules": {}}))
