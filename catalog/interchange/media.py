"""Images of objects for LIDO ``resourceSet``s (when the objects' media table exists)."""

from __future__ import annotations

from typing import Any

from flask import current_app


def lido_images(obj: Any) -> list[dict[str, str]]:
    """Public links to the object's images: ``[{"url", "mime_type", "caption"}]``.

    Reads an ``images`` relationship on the object when the media domain provides one; an
    image is linked by its media URL, never by its path on disk.
    """
    images = getattr(obj, "images", None) or []
    base = current_app.config["PUBLIC_BASE_URL"]
    found = []
    for image in images:
        url = getattr(image, "url", None)
        if url is None and getattr(image, "id", None) is not None:
            url = f"{base}/media/images/{image.id}"
        if url:
            found.append({"url": url, "mime_type": getattr(image, "mime_type", None) or "",
                          "caption": getattr(image, "caption", None) or ""})
    return found
