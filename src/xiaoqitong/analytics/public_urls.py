"""Public pages of analytics: /public/data/… (no login; ``views_public``)."""

from django.urls import path

from . import views_public

app_name = "public_data"
urlpatterns = [
    path("", views_public.public_index, name="index"),
    path("<int:year>/<slug:dimension>/", views_public.public_table, name="table"),
]
