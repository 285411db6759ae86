"""Opt-out links in reminder e-mails: signed, so only the recipient's own link works."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "receivables-opt-out"


def opt_out_token(secret_key: str, party_id: int, address: str) -> str:
    return URLSafeSerializer(secret_key, salt=_SALT).dumps({"p": party_id, "a": address})


def read_opt_out_token(secret_key: str, token: str) -> tuple[int, str] | None:
    try:
        data = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return int(data["p"]), str(data["a"])


def opt_out_url(public_base_url: str, secret_key: str, party_id: int, address: str) -> str:
    return f"{public_base_url}/receivables/opt-out/{opt_out_token(secret_key, party_id, address)}"
