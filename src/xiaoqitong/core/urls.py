from django.urls import path

from . import pages

app_name = "core"

urlpatterns = [
    path("imports/<int:pk>/", pages.import_job, name="import_job"),
    path("imports/<int:pk>/confirm/", pages.import_job_confirm, name="import_job_confirm"),
    path("audit/", pages.audit_list, name="audit_list"),
    path("notifications/", pages.notification_list, name="notification_list"),
    path("notifications/read-all/", pages.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", pages.notification_open, name="notification_open"),
    path("notifications/<int:pk>/read/", pages.notification_read, name="notification_read"),
]
