from . import views

app_name = "reference"

urlpatterns = [
    *views.RegionViews.urls("regions", app_name),
    *views.MajorCategoryViews.urls("major-categories", app_name),
    *views.MajorClassViews.urls("major-classes", app_name),
    *views.MajorFamilyViews.urls("major-families", app_name),
    *views.MajorViews.urls("majors", app_name),
    *views.IndustryViews.urls("industries", app_name),
    *views.IndustryChainViews.urls("industry-chains", app_name),
    *views.SkillViews.urls("skills", app_name),
    *views.CertificateViews.urls("certificates", app_name),
]
