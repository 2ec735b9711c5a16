from django.urls import path

from registration import invitations, views

app_name = "registration"

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("register/done/", views.RegisterDoneView.as_view(), name="register-done"),
    path("invitation/<str:code>/", invitations.InvitationPage.as_view(), name="invitation"),
    path(
        "invitation/<str:code>/decline/",
        invitations.DeclineInvitation.as_view(),
        name="invitation-decline",
    ),
    path("manage-link/", views.ResendLinkView.as_view(), name="resend-link"),
    path("manage-link/sent/", views.ResendLinkSentView.as_view(), name="resend-link-sent"),
    path("manage/<str:token>/", views.ManageView.as_view(), name="manage"),
    path("manage/<str:token>/cancel/", views.CancelView.as_view(), name="cancel"),
    path(
        "manage/<str:token>/calendar.ics",
        views.DelegateCalendarView.as_view(),
        name="delegate-ics",
    ),
    path("manage/<str:token>/my-data.json", views.DelegateDataView.as_view(), name="my-data"),
    path("manage/<str:token>/delete/", views.DeleteRegistrationView.as_view(), name="delete"),
]
