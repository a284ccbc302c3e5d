from .views import agreements, bases, internships, rules, subsidies

app_name = "cooperation"

urlpatterns = [
    *rules.urlpatterns,
    *agreements.urlpatterns,
    *subsidies.urlpatterns,
    *bases.urlpatterns,
    *internships.urlpatterns,
]
