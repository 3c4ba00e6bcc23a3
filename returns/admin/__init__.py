"""The console (Django admin) for the returns app: provider staff and operators.

Every class is scoped through `scoping.ProviderScopedAdmin`: staff see their
own provider's rows only; operators see everything. Importing a module
registers its classes.
"""

from returns.admin import intake, notifications, trail  # noqa: F401
from returns.admin.packages import FailedPackageAdmin

__all__ = ["FailedPackageAdmin"]
