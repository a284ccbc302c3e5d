"""Pages of events, one module per area; each module defines ``urlpatterns`` (collected by ``urls.py``)."""
