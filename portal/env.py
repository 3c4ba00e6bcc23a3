"""The environment as `portal.settings` reads it: one django-environ `env`, and readers
whose refusal names the variable and what it should hold.
"""

from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def setting(name: str, cast: type = str, default: Any = environ.Env.NOTSET) -> Any:
    """Read one variable; a value that cannot be read names the variable."""
    reader = {bool: env.bool, int: env.int, list: env.list, str: env.str}[cast]
    try:
        return reader(name, default=default)
    except ImproperlyConfigured:
        raise
    except (TypeError, ValueError) as exc:
        message = f"{name}={env.str(name)!r} is not a valid {cast.__name__}."
        raise ImproperlyConfigured(message) from exc


def positive_int(name: str, default: int) -> int:
    value: int = setting(name, int, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a positive whole number, not {value}.")
    return value


def positive_ints(name: str, default: str) -> tuple[int, ...]:
    """A comma-separated list of positive whole numbers (`72,24`), largest first, each once."""
    value = setting(name, str, default)
    items = [item.strip() for item in value.split(",")]
    if not all(item.isdigit() and int(item) > 0 for item in items):
        raise ImproperlyConfigured(
            f"{name} must list positive whole numbers separated by commas, like 72,24, "
            f"not {value!r}."
        )
    return tuple(sorted({int(item) for item in items}, reverse=True))
