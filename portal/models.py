from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"“{value}” is not a time zone name such as Asia/Bangkok.") from None


class LogisticsProvider(models.Model):
    """A logistics service provider (LSP) that holds return packages in its warehouse."""

    name = models.CharField(max_length=120)
    code = models.SlugField(
        max_length=40, unique=True, help_text="Short name used in commands and API tokens."
    )
    support_phone = models.CharField(max_length=40)
    support_email = models.EmailField()
    opening_hours = models.CharField(max_length=200, help_text="e.g. Mon–Fri 08:00–18:00")
    warehouse_address = models.TextField()
    ops_email = models.EmailField(help_text="Where destruction instructions and new tickets go.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Seller(models.Model):
    """A marketplace shop whose return packages the portal looks after."""

    name = models.CharField(max_length=120)
    shop_code = models.CharField(max_length=40, unique=True)
    contact_email = models.EmailField()
    # No `choices`: the list of zones comes from the system's tz database, which
    # changes between machines; the validator accepts exactly what ZoneInfo knows.
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA name, e.g. Asia/Bangkok or Europe/Berlin.",
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.shop_code})"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class EmailUserManager(UserManager):
    """Users sign in with their email address; there is no separate username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: seller staff, provider staff (`is_staff`) or an operator."""

    username = None
    email = models.EmailField("email address", unique=True)
    seller = models.ForeignKey(
        Seller, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    provider = models.ForeignKey(
        LogisticsProvider, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seller__isnull=True) | Q(provider__isnull=True),
                name="user_belongs_to_one_tenant_at_most",
                violation_error_message="A user belongs to a seller or to a provider, not both.",
            )
        ]

    def __str__(self) -> str:
        return self.email


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
