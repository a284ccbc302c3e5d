"""Pages of analytics: /analytics/… (the city's dashboards in ``views.py``)."""

from . import views, views_school

app_name = "analytics"
urlpatterns = [
    *views.urlpatterns(),
    # --- school and researchers (views_school.py): school/<pk>/ (name "school") and aggregates/
    # (name "aggregates") are added here.
    *views_school.urlpatterns(),
]
