"""The partner directory, shared across events: the organisations of the networks a
symposium lives on, so that "Brighton & Hove" and "brighton & hove" are one partner with
one sector, whatever each delegate typed."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from symposium.enums import Sector
from symposium.models import new_access_key
from symposium.validators import one_line


class Network(models.Model):
    """A partner network, e.g. the Kent and Medway Better Mental Health Network."""

    name = models.CharField(max_length=200, unique=True, validators=[one_line()])
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganisationQuerySet(models.QuerySet):
    def current(self):
        """Entries not merged into another: the directory as organisers and delegates
        see it."""
        return self.filter(merged_into__isnull=True)


class Organisation(models.Model):
    """One partner organisation. An entry merged into another is kept, pointing to the
    one that absorbed it, so a merge never loses where a delegate's partner came from."""

    name = models.CharField(max_length=200, validators=[one_line()])
    # partners.names.name_key(name): what two spellings of one name share (case,
    # spacing, "&" and "and", "N.H.S." and "NHS"). Unique among current entries.
    name_key = models.CharField(max_length=200, editable=False)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    website = models.URLField(blank=True)
    networks = models.ManyToManyField(Network, blank=True, related_name="organisations")
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "name_key",
                condition=models.Q(merged_into__isnull=True),
                name="one_current_organisation_per_name",
                violation_error_message="The directory already has an organisation of this name.",
            )
        ]
        indexes = [models.Index(fields=["name_key"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from partners.names import name_key

        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)


class OrganisationAlias(models.Model):
    """Another name an organisation is known by (a former name, an abbreviation, a
    merged duplicate's spelling): typing it finds the organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, validators=[one_line()])
    name_key = models.CharField(max_length=200, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "organisation aliases"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from partners.names import name_key

        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)


class OrganisationMerge(models.Model):
    """The history of a merge: which entry went into which, by whom, and how many
    delegates moved with it."""

    kept = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="merges")
    merged = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    merged_name = models.CharField(max_length=200)
    delegates_moved = models.PositiveIntegerField(default=0)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self):
        return f"{self.merged_name} merged into {self.kept}"


class MatchedBy(models.TextChoices):
    NAME = "name", "Name or alias"
    ORGANISER = "organiser", "Matched by an organiser"
    INVITATION = "invitation", "Invitation"


class Affiliation(models.Model):
    """The directory's organisation a delegate registered for. A delegate whose typed
    organisation matched nothing has none: they are on the organisers' "to match" list
    (partners.selectors.to_match), their words kept as typed."""

    delegate = models.OneToOneField(
        "symposium.Delegate", on_delete=models.CASCADE, related_name="affiliation"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="affiliations"
    )
    matched_by = models.CharField(max_length=20, choices=MatchedBy.choices)

    def __str__(self):
        return f"{self.delegate} of {self.organisation}"


class SeatQuota(models.Model):
    """Seats of one event kept for one organisation, network or sector until a release
    date; the seats unused then return to the general pool (partners.quotas)."""

    event = models.ForeignKey(
        "symposium.Event", on_delete=models.CASCADE, related_name="seat_quotas"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="quotas"
    )
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.PROTECT, related_name="quotas"
    )
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    seats = models.PositiveIntegerField()
    release_at = models.DateTimeField(
        help_text="Seats not taken by then return to the general pool."
    )
    released_at = models.DateTimeField(null=True, blank=True, editable=False)
    release_warned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["event", "release_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=False, network__isnull=True, sector="")
                    | models.Q(organisation__isnull=True, network__isnull=False, sector="")
                    | (
                        models.Q(organisation__isnull=True, network__isnull=True)
                        & ~models.Q(sector="")
                    )
                ),
                name="quota_for_one_organisation_network_or_sector",
                violation_error_message=(
                    "A quota is for one organisation, one network or one sector."
                ),
            ),
            models.UniqueConstraint(
                "event", "organisation", name="one_quota_per_organisation_per_event"
            ),
            models.UniqueConstraint("event", "network", name="one_quota_per_network_per_event"),
            models.UniqueConstraint(
                "event",
                "sector",
                condition=~models.Q(sector=""),
                name="one_quota_per_sector_per_event",
            ),
        ]

    def __str__(self):
        holder = self.organisation or self.network or self.get_sector_display()
        return f"{self.seats} seats for {holder}"


class PartnerLead(models.Model):
    """A named contact who sees and manages their own people at the events they lead
    for: the delegates of one organisation, or of every member of one network. They
    sign in with nothing but a signed link (partners.tokens); a new `access_key`
    revokes every link sent so far."""

    name = models.CharField(max_length=200, validators=[one_line()])
    email = models.EmailField(max_length=254)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        help_text="Leads for this organisation's delegates. Give an organisation or a "
        "network, not both.",
    )
    network = models.ForeignKey(
        Network,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        help_text="Leads for the delegates of every member organisation of this network.",
    )
    events = models.ManyToManyField(
        "symposium.Event",
        related_name="partner_leads",
        help_text="The events this person sees and manages their people for.",
    )
    access_key = models.CharField(max_length=64, default=new_access_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False, network__isnull=True)
                | models.Q(organisation__isnull=True, network__isnull=False),
                name="partner_lead_for_an_organisation_or_a_network",
                violation_error_message="Give the organisation or the network this person "
                "leads for (one, not both).",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation or self.network})"

    @property
    def leads_for(self):
        return self.organisation or self.network


class LeadAction(models.TextChoices):
    LINK_SENT = "link_sent", "Link emailed"
    LINKS_REVOKED = "links_revoked", "Links revoked"
    SUBSTITUTED = "substituted", "Substituted a colleague"
    CANCELLED = "cancelled", "Cancelled a registration"


class PartnerLeadAction(models.Model):
    """The audit of what a partner lead did, and what organisers did to their links:
    who, what, to whom, when. Names are copied, so the record reads the same after a
    registration is erased."""

    lead = models.ForeignKey(PartnerLead, on_delete=models.CASCADE, related_name="actions")
    event = models.ForeignKey(
        "symposium.Event", null=True, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(max_length=20, choices=LeadAction.choices)
    delegate = models.ForeignKey(
        "symposium.Delegate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # For a substitution, the colleague's registration (the place's new holder).
    colleague = models.ForeignKey(
        "symposium.Delegate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    details = models.CharField(max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organiser, for what was done in the admin; empty when the lead did it.",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "partner lead's action"
        verbose_name_plural = "partner leads' actions"

    def __str__(self):
        return f"{self.lead.name}: {self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"


class InvitationStatus(models.TextChoices):
    INVITED = "invited", "No answer yet"
    REGISTERED = "registered", "Registered"
    DECLINED = "declined", "Declined"
    # Registered through it, then cancelled (partners.invitations.give_back).
    CANCELLED = "cancelled", "Registered, then cancelled"


class Invitation(models.Model):
    """A code (or the link that carries it) to register for one event through a partner:
    at most `max_uses` registrations, until `valid_until`, counted against a seat quota
    and a tag for statistics. With an organisation, a delegate arriving through it is
    that organisation's, their organisation and sector locked (pretix's voucher:
    `max_usages`, `valid_until`, `block_quota`, `tag`). A personal invitation has one of
    its own, for one use."""

    event = models.ForeignKey(
        "symposium.Event", on_delete=models.CASCADE, related_name="invitations"
    )
    # partners.invitations.new_code: no letters that look alike (0/O, 1/I/L).
    code = models.CharField(max_length=32, unique=True)
    max_uses = models.PositiveIntegerField(default=1)
    # Counted in the registration's transaction by one conditional UPDATE
    # (partners.invitations.use): never above max_uses, whoever registers at once.
    uses = models.PositiveIntegerField(default=0, editable=False)
    valid_until = models.DateTimeField(null=True, blank=True)
    quota = models.ForeignKey(
        SeatQuota, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    tag = models.CharField(max_length=100, blank=True, validators=[one_line()])
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
        help_text="Delegates registering through it are this organisation's: their "
        "organisation and sector are filled in and cannot be changed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "tag", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uses__lte=models.F("max_uses")),
                name="invitation_uses_at_most_max_uses",
            )
        ]

    def __str__(self):
        return self.code

    def clean(self):
        if self.quota_id and self.event_id and self.quota.event_id != self.event_id:
            raise ValidationError({"quota": "Choose a quota of the same event."})

    @property
    def uses_left(self) -> int:
        return max(self.max_uses - self.uses, 0)


class InvitationUse(models.Model):
    """Who registered through which invitation: the statistics by tag, and the seats a
    quota gave."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="used_by")
    delegate = models.OneToOneField(
        "symposium.Delegate", on_delete=models.CASCADE, related_name="invitation_use"
    )
    used_at = models.DateTimeField()

    def __str__(self):
        return f"{self.invitation} used by {self.delegate}"


class PersonalInvitation(models.Model):
    """One person invited to an event, by name and email, imported from a list: their
    own link (an Invitation of one use), and what became of it — no answer yet,
    registered through it, or declined ("can't come" on the invitation page)."""

    event = models.ForeignKey(
        "symposium.Event", on_delete=models.CASCADE, related_name="personal_invitations"
    )
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="personal", editable=False
    )
    name = models.CharField(max_length=200, validators=[one_line()])
    email = models.EmailField(max_length=254)
    # As the list had it; `invitation.organisation` when the directory knows it.
    organisation_name = models.CharField(
        "organisation", max_length=200, blank=True, validators=[one_line()]
    )
    tag = models.CharField(max_length=100, blank=True, validators=[one_line()])
    status = models.CharField(
        max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )
    delegate = models.ForeignKey(
        "symposium.Delegate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminders = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "event",
                Lower("email"),
                name="one_personal_invitation_per_email_per_event",
                violation_error_message="This address is already invited to the event.",
            )
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class QuotaPlace(models.Model):
    """A registration that counts against a quota: written, under the event's lock,
    when the quota was unreleased as the place was decided (registration.services).
    Kept after the release, as the record of who came through it; only unreleased
    quotas hold seats (partners.quotas)."""

    delegate = models.OneToOneField(
        "symposium.Delegate", on_delete=models.CASCADE, related_name="quota_place"
    )
    quota = models.ForeignKey(SeatQuota, on_delete=models.CASCADE, related_name="places")

    def __str__(self):
        return f"{self.delegate} through {self.quota}"
