"""Staff accounts: the Employee user model and its role."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    SUPERADMIN = "superadmin", "Superadmin"
    ONM_TEAM = "onm_team", "O&M team"
    FINANCE_TEAM = "finance_team", "Finance team"
    GENERIC = "generic", "Generic"


class EmployeeManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, employee_id, password=None, **extra):
        if not employee_id:
            raise ValueError("An employee needs an employee_id.")
        extra.setdefault("role", Role.GENERIC)
        user = self.model(employee_id=str(employee_id).strip(), **extra)
        user.email = self.normalize_email(user.email or "")
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, employee_id, password=None, **extra):
        extra["role"] = Role.SUPERADMIN
        extra.setdefault("must_change_password", False)
        return self.create_user(employee_id, password, **extra)


class Employee(AbstractBaseUser):
    """A member of staff. Logs in with the employee number; the role decides what they may do."""

    employee_id = models.CharField("employee number", max_length=32, unique=True)
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.GENERIC, db_index=True)
    is_active = models.BooleanField(default=True)
    must_change_password = models.BooleanField(
        default=False, help_text="Set when an admin issues a one-time password; cleared when the employee sets their own."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = EmployeeManager()

    USERNAME_FIELD = "employee_id"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        db_table = "cc_employee"
        ordering = ["employee_id"]

    def __str__(self):
        return f"{self.employee_id} {self.name}".strip()

    def get_full_name(self):
        return self.name or self.employee_id

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.employee_id

    # Django admin is for superadmins only; these replace PermissionsMixin's per-object permissions.
    @property
    def is_staff(self):
        return self.is_active and self.role == Role.SUPERADMIN

    @property
    def is_superuser(self):
        return self.is_staff

    def has_perm(self, perm, obj=None):
        return self.is_staff

    def has_perms(self, perm_list, obj=None):
        return self.is_staff

    def has_module_perms(self, app_label):
        return self.is_staff


class TokenFamily(models.Model):
    """The refresh tokens descended from one API login (accounts.services.token_family_*).

    Only the newest of them, ``current_jti``, can be exchanged; presenting an older one (a token already rotated,
    so replayed or stolen) revokes the whole family, as logging out does, and with it the family's access tokens."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="token_families")
    current_jti = models.CharField(max_length=255, help_text="jti of the one refresh token that may be exchanged.")
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text="When the current refresh token expires.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        db_table = "cc_token_family"

    def __str__(self):
        return f"token family {self.pk} of {self.employee_id}"


class LoginCeiling(models.Model):
    """Failed logins of one employee number from every address together (the per-employee ceiling of
    accounts.lockout): how many since the last quiet spell, and when the last one was."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()

    class Meta:
        db_table = "cc_login_ceiling"

    def __str__(self):
        return f"{self.username}: {self.failures} failures"


class KnownLoginAddress(models.Model):
    """An address from which an employee has logged in: the per-employee ceiling does not apply there (the
    per-address lockout still does), so a guesser elsewhere cannot keep the employee out at their own desk."""

    username = models.CharField(max_length=150)
    ip_address = models.CharField(max_length=64)
    last_login_at = models.DateTimeField()

    class Meta:
        db_table = "cc_known_login_address"
        constraints = [models.UniqueConstraint(fields=["username", "ip_address"], name="cc_known_login_address_unique")]

    def __str__(self):
        return f"{self.username} from {self.ip_address}"
