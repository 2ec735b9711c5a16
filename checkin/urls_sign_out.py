from django.urls import path

from checkin import views

# Not under an event, nor in the check-in namespace: signing out is the same everywhere.
urlpatterns = [
    path("staff/sign-out/", views.SignOut.as_view(), name="checkin-sign-out"),
]
