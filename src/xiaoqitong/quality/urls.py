from .views import assessment, certificates, resources, skilltests, targets, teachers, training

app_name = "quality"

urlpatterns = [
    *targets.urlpatterns,
    *assessment.urlpatterns,
    *certificates.urlpatterns,
    *skilltests.urlpatterns,
    *resources.urlpatterns,
    *training.urlpatterns,
    *teachers.urlpatterns,
]
