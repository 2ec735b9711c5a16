"""Background work of the check-in app (symposium.background)."""

from checkin import badges
from symposium.background import task


@task()
def make_badges(*, run_id: int) -> None:
    """The badges of a BadgeRun, as a PDF on the run (checkin.badges.make_badge_run)."""
    badges.make_badge_run(run_id=run_id)
