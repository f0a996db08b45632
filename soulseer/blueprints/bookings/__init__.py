"""Scheduled readings: booking a time (/readers/<slug>/book) and the bookings (/bookings)."""

from flask import Blueprint

bp = Blueprint("bookings", __name__)

from soulseer.blueprints.bookings import views  # noqa: E402, F401
