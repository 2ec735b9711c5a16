app_name = "breakouts"

urlpatterns = []
