from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.PublicOutcomesView.as_view(), name="public"),
    # The facilitator's signed link (outcomes.tokens); "/manage/<token>" is redacted
    # from logs (symposium.web.log_filters).
    path("manage/<str:token>/", views.FacilitatorView.as_view(), name="facilitator"),
]
