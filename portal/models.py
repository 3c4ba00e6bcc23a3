import secrets
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.address_models import (
    NotificationAddress,
    ReturnAddress,
    default_return_address,
    extra_notice_recipients,
)
from portal.formatting import choice_label
from portal.querysets import TenantQuerySet

# Defined beside, registered with this app; imported from here.
__all__ = [
    "NotificationAddress",
    "ReturnAddress",
    "default_return_address",
    "extra_notice_recipients",
]


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            gettext("“%(value)s” is not a time zone name such as Asia/Bangkok.") % {"value": value}
        ) from None


class LogisticsProvider(models.Model):
    """A logistics service provider (LSP) that holds return packages in its warehouse."""

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short name used in commands and API tokens."),
    )
    support_phone = models.CharField(_("support phone"), max_length=40)
    support_email = models.EmailField(_("support email"))
    opening_hours = models.CharField(
        _("opening hours"), max_length=200, help_text=_("e.g. Mon–Fri 08:00–18:00")
    )
    warehouse_address = models.TextField(_("warehouse address"))
    ops_email = models.EmailField(
        _("ops email"), help_text=_("Where destruction instructions and new tickets go.")
    )
    # Staff see and enter times in this zone; ops emails and the console use this language.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Asia/Bangkok. Staff see and enter times in this zone."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the console for its staff and of its ops emails."),
    )

    class Meta:
        verbose_name = _("logistics provider")
        verbose_name_plural = _("logistics providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class Seller(models.Model):
    """A marketplace shop whose return packages the portal looks after."""

    name = models.CharField(_("name"), max_length=120)
    shop_code = models.CharField(_("shop code"), max_length=40, unique=True)
    contact_email = models.EmailField(_("contact email"))
    # No `choices`: the list of zones comes from the system's tz database, which
    # changes between machines; the validator accepts exactly what ZoneInfo knows.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Asia/Bangkok or Europe/Berlin."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # The optional emails a shop may turn off (settings, or the one-click link in the
    # email itself). The policy's notices (destruction, final notice, certificate) have
    # no switch: the seller must be told before a package is destroyed.
    reminder_emails = models.BooleanField(_("deadline reminders by email"), default=True)
    ticket_reply_emails = models.BooleanField(_("ticket replies by email"), default=True)

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.shop_code})"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class SellerRole(models.TextChoices):
    # Owners run the shop's settings and team; members work packages and tickets.
    OWNER = "owner", _("owner")
    MEMBER = "member", _("member")


class EmailUserManager(UserManager["User"]):
    """Users sign in with their email address; there is no separate username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


# The salt of django.contrib.auth.base_user.AbstractBaseUser._get_session_auth_hash.
DJANGO_SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"


def new_permissions_version() -> int:
    """A user's permissions version (portal.auth): random, so never one used before."""
    return secrets.randbits(62)


class User(AbstractUser):
    """A person who signs in: seller staff, provider staff (`is_staff`) or an operator."""

    username = None  # type: ignore[assignment]  # people sign in with their email
    email = models.EmailField(_("email address"), unique=True)
    seller = models.ForeignKey(
        Seller,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("seller"),
    )
    provider = models.ForeignKey(
        LogisticsProvider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("provider"),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Blank: the language of the user's shop or provider."),
    )
    # Meaningful for seller users only; provider staff and operators keep the default.
    seller_role = models.CharField(
        _("role"), max_length=10, choices=SellerRole.choices, default=SellerRole.MEMBER
    )
    # Raised to end every session of the user at once (portal.services.end_sessions): the
    # session's auth hash mixes it in, so any session backend drops them on the next request.
    session_version = models.PositiveIntegerField(_("session version"), default=0)
    # A new random number whenever the user's permissions may have changed (portal.auth):
    # each process keeps a user's permissions under it, read with the user on every
    # request. Random, not counted up: a number a rolled-back change used is not used again.
    permissions_version = models.BigIntegerField(
        _("permissions version"), default=new_permissions_version
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[EmailUserManager] = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seller__isnull=True) | Q(provider__isnull=True),
                name="user_belongs_to_one_tenant_at_most",
                violation_error_message=_("A user belongs to a seller or to a provider, not both."),
            )
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A saved row's permissions version is never written by a save: a copy read before
        # a change of permissions would write the old number back, and every process would
        # serve the permissions kept under it. (The fields Django would write, less that one.)
        if not self._state.adding and self.pk is not None and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.attname not in deferred
                and field.name != "permissions_version"
            ]
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Version 0 keeps Django's own hash (AbstractBaseUser's salt and input, written out:
        # django-stubs do not declare the private method), so the sessions open before this
        # field was added stay valid; each later version signs every earlier session out.
        if not self.session_version:
            salt, signed = DJANGO_SESSION_HASH_SALT, self.password
        else:
            salt, signed = (
                "portal.User.get_session_auth_hash",
                f"{self.password}:{self.session_version}",
            )
        return salted_hmac(salt, signed, secret=secret, algorithm="sha256").hexdigest()

    @property
    def is_seller_owner(self) -> bool:
        return bool(self.seller_id) and self.seller_role == SellerRole.OWNER


class RequestCount(models.Model):
    """Requests counted against one key (a purpose and an address or email) in one fixed window.

    Kept in the database rather than Django's cache: the default cache is local
    memory, one per gunicorn process, so each worker on each node would count
    alone and the limit would multiply by their number (portal.throttle).
    """

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="request_count_one_row_per_window"
            )
        ]
        # portal.throttle deletes the rows of windows that have ended.
        indexes = [models.Index(fields=["window_start"], name="request_count_window")]

    def __str__(self) -> str:
        return f"{self.key} since {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"


class SettingsChangeQuerySet(TenantQuerySet):
    provider_path = None


class SettingsChange(models.Model):
    """One change to a shop's settings: who made it, when, and the values before and after.

    Written by the service that makes the change, in its transaction; never edited.
    """

    class Action(models.TextChoices):
        PROFILE = "profile", _("Shop profile changed")
        ADDRESS_ADDED = "address_added", _("Notification address added")
        ADDRESS_CONFIRMED = "address_confirmed", _("Notification address confirmed")
        ADDRESS_REMOVED = "address_removed", _("Notification address removed")
        PRIMARY_CHANGED = "primary_changed", _("Primary notification address changed")
        RETURN_ADDRESS_ADDED = "return_address_added", _("Return address added")
        RETURN_ADDRESS_CHANGED = "return_address_changed", _("Return address changed")
        RETURN_ADDRESS_DELETED = "return_address_deleted", _("Return address deleted")
        EMAILS = "emails", _("Email preferences changed")

    seller = models.ForeignKey(
        Seller, on_delete=models.CASCADE, related_name="settings_changes", verbose_name=_("seller")
    )
    # Empty when no one was signed in: a confirmation or one-click unsubscribe link.
    actor = models.ForeignKey(
        "User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    action = models.CharField(_("change"), max_length=30, choices=Action.choices)
    # What the change was about: an email address or a return address's name.
    subject = models.CharField(_("about"), max_length=254, blank=True)
    # {field name: [before, after]}, the values as stored.
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    objects = SettingsChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("settings change")
        verbose_name_plural = _("settings changes")
        ordering = ["-changed_at", "-pk"]
        # The settings page lists a shop's latest changes.
        indexes = [models.Index(fields=["seller", "-changed_at"], name="settings_change_seller")]

    def __str__(self) -> str:
        return f"{choice_label(self, 'action')} {self.subject}".strip()
