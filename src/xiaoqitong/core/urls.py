from django.urls import path

from . import pages

app_name = "core"

urlpatterns = [
    path("imports/<int:pk>/", pages.import_job, name="import_job"),
    path("imports/<int:pk>/confirm/", pages.import_job_confirm, name="import_job_confirm"),
    path("imports/<int:pk>/rerun/", pages.import_job_rerun, name="import_job_rerun"),
    path("jobs/", pages.job_list, name="job_list"),
    path("jobs/export/", pages.job_export, name="job_export"),
    path("jobs/<int:pk>/", pages.job_detail, name="job_detail"),
    path("jobs/<int:pk>/rerun/", pages.job_rerun, name="job_rerun"),
    path("audit/", pages.audit_list, name="audit_list"),
    path("notifications/", pages.notification_list, name="notification_list"),
    path("notifications/read-all/", pages.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", pages.notification_open, name="notification_open"),
    path("notifications/<int:pk>/read/", pages.notification_read, name="notification_read"),
]
