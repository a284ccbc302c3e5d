from . import views

app_name = "enterprises"

urlpatterns = [
    *views.PositionViews.urls("positions", app_name),
    *views.ApplicationViews.urls("applications", app_name),
    *views.GraduateOutcomeViews.urls("graduate-outcomes", app_name),
]
