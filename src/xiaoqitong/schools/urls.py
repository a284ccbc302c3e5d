from . import privacy_views, views

app_name = "schools"

urlpatterns = [
    *views.SchoolMajorViews.urls("school-majors", app_name),
    *views.StudentViews.urls("students", app_name),
    *privacy_views.urlpatterns,
    *views.TeacherViews.urls("teachers", app_name),
    *views.TeacherPracticeViews.urls("teacher-practices", app_name),
]
