"""The organisers' console: the admin site, branded, with a dashboard per event, admin
forms and actions that go through the registration rules, previews and event copies.

Kept apart from the public modules (as pretix keeps `control/` apart from `presale/`);
symposium/admin.py and breakouts/admin.py only plug these pieces in.
"""
