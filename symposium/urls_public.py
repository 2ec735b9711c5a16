app_name = "symposium"

urlpatterns = []
