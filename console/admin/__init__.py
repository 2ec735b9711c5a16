"""Every organiser's admin page, one module per app whose models it manages; the admin
site (console.site) finds them here, as it finds any app's `admin` module."""

from console.admin import (  # noqa: F401 - each registers its ModelAdmins
    allocation,
    breakouts,
    checkin,
    mailings,
    outcomes,
    partners,
    speakers,
    symposium,
    teams,
)
