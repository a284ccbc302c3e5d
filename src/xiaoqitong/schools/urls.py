app_name = "schools"

urlpatterns = []
