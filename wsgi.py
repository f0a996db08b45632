"""WSGI entry point: `gunicorn wsgi:app`."""

from soulseer import create_app

app = create_app()
