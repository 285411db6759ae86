"""Views: filled below."""
