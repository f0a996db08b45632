"""Database models. Each area adds a module; importing this package registers them all."""

from soulseer.models.content import ContentPage
from soulseer.models.user import Role, User, UserStatus

__all__ = ["ContentPage", "Role", "User", "UserStatus"]
