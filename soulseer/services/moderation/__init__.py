"""Moderation of what people write: automatic screening, flags, and the admin queue."""
