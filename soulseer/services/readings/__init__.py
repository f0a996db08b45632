"""Live readings: requests and their lifecycle, the meter and billing, the room, chat, reviews,
histories and admins' records (docs/readings.md, docs/billing.md)."""
