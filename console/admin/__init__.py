"""Every organiser's admin page, one module per app whose models it manages; the admin
site (console.site) finds them here, as it finds any app's `admin` module."""

from console.admin import (  # noqa: F401 - each registers its ModelAdmins
    allocation,
    audit,
    breakouts,
    checkin,
    feedback,
    mailings,
    outcomes,
    partners,
    questions,
    speakers,
    symposium,
    teams,
)
