"""Pages of certification, one module per area; each defines ``urlpatterns`` (collected by
``urls.py``)."""
