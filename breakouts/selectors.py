"""Read helpers shared by the public breakouts page, the admin and the staff overview."""

from django.db.models import Count, Q

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutSession

FEW_PLACES_LEFT = 5


def sessions_with_places(queryset=None):
    """Sessions annotated with `places_taken` and `waitlist_length`, in one query."""
    queryset = BreakoutSession.objects.all() if queryset is None else queryset
    return queryset.annotate(
        places_taken=Count("choices", filter=Q(choices__status=ChoiceStatus.CONFIRMED)),
        waitlist_length=Count("choices", filter=Q(choices__status=ChoiceStatus.WAITLISTED)),
    )


def availability_label(capacity, places_taken):
    left = capacity - places_taken
    if left <= 0:
        return "Full — join the waitlist"
    if left <= FEW_PLACES_LEFT:
        return "Few places left"
    return "Places available"
