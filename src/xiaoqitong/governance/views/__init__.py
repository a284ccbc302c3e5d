"""Pages of governance, one module per area; each defines ``urlpatterns`` (collected by ``urls.py``)."""
