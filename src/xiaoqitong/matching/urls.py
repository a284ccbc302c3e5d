"""Pages of matching: /matching/… (``views.py``)."""

from . import views

app_name = "matching"
urlpatterns = views.urlpatterns()
