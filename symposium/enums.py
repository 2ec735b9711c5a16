from django.db import models


class Sector(models.TextChoices):
    NHS = "nhs", "NHS"
    COUNCIL = "council", "Local council"
    POLICE = "police", "Police"
    VCSE = "vcse", "Voluntary, community and social enterprise (VCSE)"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other"


class AgendaKind(models.TextChoices):
    PLENARY = "plenary", "Plenary"
    PRESENTATION = "presentation", "Presentation"
    FILM = "film", "Film"
    PANEL = "panel", "Panel"
    BREAK = "break", "Break"
    BREAKOUT_ROUND = "breakout_round", "Breakout round"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "On the waitlist"
    CANCELLED = "cancelled", "Cancelled"


class RegistrationSource(models.TextChoices):
    """How a registration was made: by the delegate (who agreed to the privacy notice)
    or by an organiser in the admin (who did not ask them to)."""

    PUBLIC = "public", "Registered on the public site"
    ADMIN = "admin", "Added by an organiser in the admin"
    PARTNER_LEAD = "partner_lead", "Took a colleague's place, named by their partner lead"


class DietaryRequirement(models.TextChoices):
    NONE = "none", "No special requirement"
    VEGETARIAN = "vegetarian", "Vegetarian"
    VEGAN = "vegan", "Vegan"
    HALAL = "halal", "Halal"
    KOSHER = "kosher", "Kosher"
    GLUTEN_FREE = "gluten_free", "Gluten free"
    DAIRY_FREE = "dairy_free", "Dairy free"
    NUT_ALLERGY = "nut_allergy", "Nut allergy"
    OTHER = "other", "Other (please describe)"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class EmailKind(models.TextChoices):
    REGISTERED = "registered", "Registration confirmed or waitlisted"
    MANAGE_LINK = "manage_link", "Manage link"
    CHANGED = "changed", "Registration changed"
    CANCELLED = "cancelled", "Registration cancelled"
    EVENT_PLACE = "event_place", "Place at the event"
    BREAKOUT_PLACE = "breakout_place", "Place in a breakout"
    BREAKOUT_SWAP = "breakout_swap", "Moved to the breakout waited for"
    BREAKOUT_ALLOCATED = "breakout_allocated", "Breakout places allocated"
    SUBSTITUTED = "substituted", "Place passed to a colleague"


class BreakoutAllocation(models.TextChoices):
    FIRST_COME = "first_come", "First come, first served"
    RANKED = "ranked", "Ranked preferences, allocated on a date"
