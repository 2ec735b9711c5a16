from django.urls import path

from breakouts import views

app_name = "breakouts"

urlpatterns = [
    path("", views.BreakoutList.as_view(), name="breakout-list"),
]
