from django.urls import path

from . import pages

app_name = "core"

urlpatterns = [
    path("imports/<int:pk>/", pages.import_job, name="import_job"),
    path("imports/<int:pk>/confirm/", pages.import_job_confirm, name="import_job_confirm"),
    path("audit/", pages.audit_list, name="audit_list"),
]
