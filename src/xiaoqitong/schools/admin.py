"""Django admin for school majors, students and teachers: every write goes through the services."""

from django.contrib import admin

from xiaoqitong.core.admin import ServiceAdmin

from . import services
from .models import SchoolMajor, Student, Teacher, TeacherPractice


@admin.register(SchoolMajor)
class SchoolMajorAdmin(ServiceAdmin):
    list_display = ("school", "major", "year", "duration", "students_enrolled", "is_provincial_high_level")
    list_filter = ("year", "duration", "is_provincial_high_level", "is_quality")
    search_fields = ("school__name", "major__name", "major__code")
    autocomplete_fields = ("school", "major")
    list_select_related = ("school", "major")


@admin.register(Student)
class StudentAdmin(ServiceAdmin):
    """Platform administrators link student accounts (``user``) here; skills are kept on the pages."""

    list_display = ("student_no", "name", "school", "grade", "status", "consent")
    list_filter = ("status", "consent", "grade")
    search_fields = ("student_no", "name")
    autocomplete_fields = ("school", "hometown", "user")
    raw_id_fields = ("school_major",)
    filter_horizontal = ("preferred_chains",)
    exclude = ("skills", "preferred_counties")
    readonly_fields = ("id_card_hash", "search_text")
    list_select_related = ("school",)

    def create(self, *, actor, data):
        return services.student_create(actor=actor, data=data)

    def update(self, *, actor, instance, data):
        return services.student_update(actor=actor, instance=instance, data=data)


@admin.register(Teacher)
class TeacherAdmin(ServiceAdmin):
    list_display = ("staff_no", "name", "school", "employment", "is_dual_qualified", "title")
    list_filter = ("employment", "is_dual_qualified", "title", "master_level", "is_special_post")
    search_fields = ("staff_no", "name")
    autocomplete_fields = ("school",)
    list_select_related = ("school",)


@admin.register(TeacherPractice)
class TeacherPracticeAdmin(ServiceAdmin):
    list_display = ("teacher", "enterprise", "year", "days")
    list_filter = ("year",)
    search_fields = ("teacher__name", "enterprise__name")
    autocomplete_fields = ("teacher", "enterprise")
    list_select_related = ("teacher", "enterprise")
