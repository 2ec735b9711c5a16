from django.db import models


class PresentationKind(models.TextChoices):
    KEYNOTE = "keynote", "Keynote"
    TALK = "talk", "Talk"
    FILM = "film", "Film"
    PANEL = "panel", "Panel"
