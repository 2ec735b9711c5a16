from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("feedback/<str:token>/", views.SurveyView.as_view(), name="survey"),
    path("feedback/<str:token>/thank-you/", views.SurveyDoneView.as_view(), name="survey-done"),
    # Under the manage link's address: its token is kept out of logs and rate-limited.
    path(
        "manage/<str:token>/certificate.pdf",
        views.CertificateView.as_view(),
        name="certificate",
    ),
]
