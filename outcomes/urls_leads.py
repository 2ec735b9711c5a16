"""Under a partner lead's link (/events/<slug>/partners/<token>/actions/), so the token
is redacted from logs as the lead's own page's is (symposium.web.log_filters)."""

from django.urls import path

from outcomes import lead_views

app_name = "outcome_actions"

urlpatterns = [
    path("", lead_views.LeadActionList.as_view(), name="list"),
    path("<int:action_pk>/", lead_views.LeadActionUpdate.as_view(), name="update"),
]
