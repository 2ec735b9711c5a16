from django.urls import path

from speakers import views

app_name = "speakers"

urlpatterns = [
    path("", views.SpeakerList.as_view(), name="speaker-list"),
    path("<slug:slug>/", views.SpeakerDetail.as_view(), name="speaker-detail"),
]
