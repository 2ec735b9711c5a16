from django.contrib import admin
from django.db.models import Prefetch, Q
from django.utils.html import format_html

from console.scoping import EventScopedAdmin
from speakers.models import Presentation, PresentationSpeaker, Speaker
from symposium.enums import AgendaKind
from symposium.models import AgendaItem

PREVIEW_SIZE = 60
# Nobody presents in a break; a breakout round's content is its sessions.
NO_PRESENTATIONS = [AgendaKind.BREAK, AgendaKind.BREAKOUT_ROUND]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["photo_preview", "name", "role", "organisation"]
    list_display_links = ["name"]
    search_fields = ["name", "organisation", "role"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "role", "organisation", "biography", "photo", "photo_preview"]
    readonly_fields = ["photo_preview"]

    def view_on_site(self, speaker):
        """A speaker's page belongs to an event: the latest one they speak at, if any."""
        return speaker.get_absolute_url() if speaker.latest_event() else None

    @admin.display(description="photo")
    def photo_preview(self, speaker):
        if speaker.photo_thumbnail:
            return format_html(
                '<img src="{}" alt="Photo of {}" width="{}" height="{}">',
                speaker.photo_thumbnail.url,
                speaker.name,
                PREVIEW_SIZE,
                PREVIEW_SIZE,
            )
        if speaker.photo:
            # No square thumbnail yet: give only the width so the photo keeps its shape.
            return format_html(
                '<img src="{}" alt="Photo of {}" width="{}">',
                speaker.photo.url,
                speaker.name,
                PREVIEW_SIZE,
            )
        return "No photo"


class PresentationSpeakerInline(admin.TabularInline):
    """Speakers in billing order. `PresentationSpeaker.clean()` refuses a double booking."""

    model = PresentationSpeaker
    fields = ["speaker", "order"]
    autocomplete_fields = ["speaker"]
    extra = 0


def agenda_item_with_event(item):
    return f"{item.event.name}: {item}"


@admin.register(Presentation)
class PresentationAdmin(EventScopedAdmin, admin.ModelAdmin):
    list_display = ["title", "agenda_item", "event", "kind", "speaker_names"]
    list_filter = ["agenda_item__event", "kind"]
    search_fields = ["title", "speakers__name"]
    list_select_related = ["agenda_item__event"]
    fields = ["agenda_item", "title", "kind", "order", "abstract"]
    inlines = [PresentationSpeakerInline]

    def get_queryset(self, request):
        bookings = PresentationSpeaker.objects.select_related("speaker")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("speaker_bookings", queryset=bookings))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("agenda_item")
        if field is not None and obj is not None:
            # get_form builds a new form class per request: only this event's items.
            # Its own item stays offered, whatever its kind.
            field.queryset = AgendaItem.objects.filter(event_id=obj.agenda_item.event_id).filter(
                ~Q(kind__in=NO_PRESENTATIONS) | Q(pk=obj.agenda_item_id)
            )
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agenda_item":
            kwargs["queryset"] = AgendaItem.objects.exclude(
                kind__in=NO_PRESENTATIONS
            ).select_related("event")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "agenda_item":
            # Agenda items of different events can share a time and a title.
            field.label_from_instance = agenda_item_with_event
        return field

    @admin.display(description="event", ordering="agenda_item__event__starts_on")
    def event(self, presentation):
        return presentation.agenda_item.event

    @admin.display(description="speakers")
    def speaker_names(self, presentation):
        return ", ".join(booking.speaker.name for booking in presentation.speaker_bookings.all())
