from django.urls import reverse

from feedback.models import SurveyInvitation
from feedback.tokens import make_survey_token


def invite(survey, delegate, **fields):
    return SurveyInvitation.objects.create(survey=survey, delegate=delegate, **fields)


def survey_url(invitation, name="feedback:survey"):
    return reverse(
        name,
        kwargs={
            "event_slug": invitation.survey.event.slug,
            "token": make_survey_token(invitation),
        },
    )


def answers(world, **overrides):
    """Sam's answers: every session he attended rated, the day, two texts."""
    talk_1, talk_2 = world["talks"]
    data = {
        f"presentation_{talk_1.pk}": "5",
        f"presentation_{talk_2.pk}": "4",
        f"item_{world['film'].pk}": "3",
        f"session_{world['prevention'].pk}": "5",
        "overall": "4",
        "comments": "The breakout on prevention was the best part.",
        "do_differently": "Call the police prevention team before a case escalates.",
    }
    return {key: value for key, value in (data | overrides).items() if value is not None}
