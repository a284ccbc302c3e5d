"""Public page of certification: /public/certified/ (no login): the enterprises that hold the title."""

from django.urls import path

from .views import public

app_name = "public_certified"
urlpatterns = [path("", public.public_list, name="index")]
