from . import views

app_name = "schools"

urlpatterns = [
    *views.SchoolMajorViews.urls("school-majors", app_name),
    *views.StudentViews.urls("students", app_name),
    *views.TeacherViews.urls("teachers", app_name),
    *views.TeacherPracticeViews.urls("teacher-practices", app_name),
]
