"""Images of published objects: linked from LIDO ``resourceSet``s and served to aggregators.

The catalogue's own image URLs need a signed-in user; aggregators harvesting over OAI-PMH get
``/oai/images/<id>/medium`` instead, which serves the medium-size derivative of an image only
while its object is published and not deaccessioned (never the original file).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, send_file

from catalog.core.permissions import public
from catalog.interchange.oai import bp

#: the sizes aggregators may fetch (the originals stay in house)
PUBLIC_SIZES = ("thumb", "medium")


def lido_images(obj: Any) -> list[dict[str, str]]:
    """Public links to the object's images: ``[{"url", "mime_type", "caption"}]``."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return [{"url": f"{base}/oai/images/{image.id}/medium", "mime_type": "image/jpeg",
             "caption": image.caption or ""}
            for image in sorted(getattr(obj, "images", None) or [],
                                key=lambda i: (not i.is_primary, i.id))]


@bp.route("/oai/images/<int:image_id>/<any(thumb, medium):size>")
@public
def image(image_id: int, size: str) -> Any:
    from catalog.extensions import db
    from catalog.objects import images
    from catalog.objects.models import ObjectImage

    record = db.session.get(ObjectImage, image_id) if image_id < 2**31 else None
    if record is None or not record.object.is_published or record.object.status == "deaccessioned":
        abort(404)
    path = images.file_path(current_app.config, record, size)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=86400)
