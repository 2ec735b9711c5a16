from django.urls import path

from registration import partner_views, views

app_name = "registration"

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("register/done/", views.RegisterDoneView.as_view(), name="register-done"),
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
    # A partner lead's people (partners.tokens: the signed link).
    path("partners/<str:token>/", partner_views.LeadPageView.as_view(), name="partner-lead"),
    path(
        "partners/<str:token>/substitute/<int:delegate_pk>/",
        partner_views.SubstituteView.as_view(),
        name="partner-substitute",
    ),
    path(
        "partners/<str:token>/cancel/<int:delegate_pk>/",
        partner_views.LeadCancelView.as_view(),
        name="partner-cancel",
    ),
]
