"""The organisers' and staff's side: the admin site, branded, with a dashboard per event;
every app's admin pages (console/admin/), whose forms and actions go through the
registration rules (rules.py) and the agenda editor (agenda.py); event copies and
delegate moves; the staff pages (staff.py) and the attendee exports (exports/); the
staff accounts (people.py).

Kept apart from the public side, as pretix keeps `control/` apart from `presale/`: the
top of the apps, nothing imports it (docs/architecture.md).
"""
