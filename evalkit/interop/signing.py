"""A bundle's signature (``bundle.sig``): who exported it, and proof that bundle.json is theirs.

``bundle.sig`` is JSON: ``format`` (``evalkit.signature/1``), ``algorithm`` (``ed25519``), the
signer's ``key`` id, ``person`` and ``public_key``, and the ``signature`` of the exact bytes of
bundle.json (hex).  Since bundle.json lists the sha256 of every member, the signature covers the
whole bundle.  A valid signature only says which key signed: whether that key may bring what the
bundle holds is decided against the project's register (:mod:`evalkit.interop.bundle_rules`).
"""

from __future__ import annotations

import json

from evalkit.interop.keys import PublicKey, SigningKey, key_id

FORMAT = "evalkit.signature/1"


def sign(key: SigningKey, index_bytes: bytes) -> bytes:
    """The bytes of ``bundle.sig`` for ``index_bytes`` signed with ``key``."""
    body = {"format": FORMAT, "algorithm": "ed25519", "key": key.key_id, "person": key.person,
            "public_key": key.public_key, "signature": key.sign(index_bytes).hex()}
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def read_signature(data: bytes, index_bytes: bytes) -> tuple[PublicKey | None, str | None]:
    """(the signing key as the signature states it, None) when the signature of ``index_bytes`` is
    valid; (None, why) otherwise."""
    try:
        body = json.loads(data.decode("utf-8"))
        kid, public, person = body["key"], body["public_key"], str(body.get("person", ""))
        signature = bytes.fromhex(body["signature"])
        if body.get("format") != FORMAT or body.get("algorithm") != "ed25519" or key_id(public) != kid:
            raise ValueError("格式、算法或密钥编号不符")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        return None, f"签名文件无法读取（{str(exc)[:80]}）"
    key = PublicKey(kid, person, public)
    if not key.verify(signature, index_bytes):
        return None, "签名与 bundle.json 的内容不符"
    return key, None
