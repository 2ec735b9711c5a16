import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.urls import reverse

from speakers.enums import PresentationKind
from speakers.fields import PhotoField
from speakers.images import reencoded_photo, square_thumbnail, validate_speaker_photo
from symposium.models import AgendaItem, TimestampedModel, clock


def speaker_photo_path(instance, filename):
    # A random name: nothing about the uploader's file name reaches the URL. The
    # extension is that of the re-encoded copy (see Speaker.save), not the uploader's.
    return f"speakers/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def speaker_thumbnail_path(instance, filename):
    return f"speakers/thumbs/{uuid.uuid4().hex}.jpg"


class Speaker(TimestampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    role = models.CharField(max_length=200, blank=True, help_text="Job title or role.")
    organisation = models.CharField(max_length=200, blank=True)
    biography = models.TextField(blank=True)
    photo = PhotoField(
        upload_to=speaker_photo_path,
        blank=True,
        validators=[validate_speaker_photo],
        help_text="A JPEG, PNG or WebP photo of at most 5 MB and 25 megapixels. "
        "It is stored without its metadata, such as where it was taken.",
    )
    photo_thumbnail = models.ImageField(
        upload_to=speaker_thumbnail_path, blank=True, editable=False
    )
    # Speakers are shared across events; these are the events an organiser added them
    # for, so an event's pages offer its own speakers before they are booked.
    events = models.ManyToManyField(
        "symposium.Event", blank=True, related_name="speakers", editable=False
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def latest_event(self):
        """The latest event the speaker presents at, or None: their page belongs to it."""
        booking = (
            self.bookings.select_related("agenda_item__event")
            .order_by("-agenda_item__event__starts_on", "-pk")
            .first()
        )
        return booking.agenda_item.event if booking else None

    def get_absolute_url(self):
        """Django's contract: no argument (its view-on-site redirect, /admin/r/…, calls
        it so). The page is the one at the latest event they present at; a speaker at no
        event has no public page, and the redirect answers "not found"."""
        event = self.latest_event()
        if event is None:
            raise Http404(f"{self.name} presents at no event yet: there is no page to show.")
        return reverse(
            "speakers:speaker-detail", kwargs={"event_slug": event.slug, "slug": self.slug}
        )

    def save(self, *args, **kwargs):
        photo_changed = self.photo and not getattr(self.photo, "_committed", True)
        if photo_changed:
            # Only a clean copy is stored: no EXIF, nothing appended, our own extension.
            self.photo = reencoded_photo(self.photo)
        super().save(*args, **kwargs)
        if photo_changed or (self.photo and not self.photo_thumbnail):
            with self.photo.open("rb") as photo:  # closed again: no file left open
                self.photo_thumbnail.save("thumb.jpg", square_thumbnail(photo), save=False)
            super().save(update_fields=["photo_thumbnail"])
        elif not self.photo and self.photo_thumbnail:
            self.photo_thumbnail = ""
            super().save(update_fields=["photo_thumbnail"])


class Presentation(TimestampedModel):
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="presentations"
    )
    title = models.CharField(max_length=200)
    abstract = models.TextField(blank=True)
    kind = models.CharField(
        max_length=20, choices=PresentationKind.choices, default=PresentationKind.TALK
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Order within the agenda item.")
    speakers = models.ManyToManyField(
        Speaker, through="PresentationSpeaker", related_name="presentations", blank=True
    )

    class Meta:
        ordering = ["agenda_item__starts_at", "order", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        item = self.agenda_item
        self.speaker_bookings.update(
            agenda_item=item, starts_at=item.starts_at, ends_at=item.ends_at
        )


class PresentationSpeaker(models.Model):
    """A speaker's place in a presentation, in billing order.

    The agenda item and its times are copied here so that, on PostgreSQL, an exclusion
    constraint (migration 0002) refuses a speaker booked into overlapping items.
    """

    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="speaker_bookings"
    )
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="bookings")
    order = models.PositiveSmallIntegerField(default=0)
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="speaker_bookings", editable=False
    )
    starts_at = models.DateTimeField(editable=False)
    ends_at = models.DateTimeField(editable=False)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["presentation", "speaker"], name="speaker_once_per_presentation"
            )
        ]

    def __str__(self):
        return f"{self.speaker} in {self.presentation}"

    def save(self, *args, **kwargs):
        self.copy_times_from_presentation()
        super().save(*args, **kwargs)

    def copy_times_from_presentation(self):
        item = self.presentation.agenda_item
        self.agenda_item = item
        self.starts_at, self.ends_at = item.starts_at, item.ends_at

    def clean(self):
        super().clean()
        presentation = getattr(self, "presentation", None)
        if not self.speaker_id or presentation is None or presentation.agenda_item_id is None:
            return
        self.copy_times_from_presentation()
        clash = (
            PresentationSpeaker.objects.filter(
                speaker_id=self.speaker_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
            )
            .exclude(agenda_item=self.agenda_item)
            .select_related("agenda_item")
            .first()
        )
        if clash:
            raise ValidationError(
                {
                    "speaker": f"{self.speaker} is already speaking in "
                    f"“{clash.agenda_item.title}” from {clock(clash.starts_at)} to "
                    f"{clock(clash.ends_at)}: a speaker cannot be in two places at once."
                }
            )


def check_speakers_are_free(item: AgendaItem) -> None:
    """An agenda item's clash rule (AgendaItem.clash_checks): none of its speakers may be
    booked elsewhere at the same time."""
    if not item.pk:
        return
    mine = PresentationSpeaker.objects.filter(agenda_item=item)
    clash = (
        PresentationSpeaker.objects.filter(speaker__in=mine.values("speaker"))
        .filter(starts_at__lt=item.ends_at, ends_at__gt=item.starts_at)
        .exclude(agenda_item=item)
        .select_related("speaker", "agenda_item")
        .first()
    )
    if clash:
        raise ValidationError(
            f"{clash.speaker} would be in two places at once: they are also in "
            f"“{clash.agenda_item.title}” at {clock(clash.starts_at)}."
        )


def speakers_of(event) -> models.QuerySet:
    """The event's speakers: those added for it and those booked at it."""
    booked = PresentationSpeaker.objects.filter(agenda_item__event=event).values("speaker_id")
    return Speaker.objects.filter(models.Q(events=event) | models.Q(pk__in=booked)).distinct()
