"""WSGI entry point for gunicorn: ``gunicorn catalog.wsgi:app``."""

from catalog import create_app

app = create_app()
