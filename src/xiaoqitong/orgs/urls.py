from . import views

app_name = "orgs"

urlpatterns = [
    *views.SchoolViews.urls("schools", app_name),
    *views.SchoolEnrolmentViews.urls("school-enrolments", app_name),
    *views.EnterpriseViews.urls("enterprises", app_name),
    *views.ResearchInstitutionViews.urls("research-institutions", app_name),
    *views.DepartmentViews.urls("departments", app_name),
    *views.UserViews.urls("users", app_name),
]
