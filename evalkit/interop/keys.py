"""Device keys (Ed25519, from ``cryptography``) and the project's register of public keys.

* ``evalkit keys new --person 张三`` makes a key pair on the assessor's laptop: the private key
  stays there (``~/.config/evalkit/keys/<id>.key``, mode 0600, or ``$EVALKIT_KEYS``), the public
  key file ``<id>.pub.json`` goes to the lead evaluator;
* ``evalkit keys register PROJECT FILE --role assessor|reviewer|lead`` records it in the project as
  ``keys/<id>.json`` (written once, never replaced); ``evalkit keys revoke`` adds
  ``keys/<id>.revoked.json`` (a lost laptop) and bundles signed by that key are refused.

A key's id is the first 16 hex digits of the sha256 of its 32 public-key bytes.  The roles say
what a bundle signed by the key may carry (:mod:`evalkit.interop.bundle_rules`): an assessor their
own submissions and corrections, a reviewer their reviews, the lead anything that keeps the rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from evalkit.io import durable

ROLES = {"assessor": "评估员", "reviewer": "审核人", "lead": "评估组长"}
KEYS = "keys"
PRIVATE_FORMAT, PUBLIC_FORMAT = "evalkit.private-key/1", "evalkit.public-key/1"


@dataclass(frozen=True)
class PublicKey:
    """A registered (or offered) public key with the person it belongs to and what it may do."""

    key_id: str
    person: str
    public_key: str            # 64 hex digits
    device: str = ""
    roles: tuple[str, ...] = ()
    revoked: bool = False

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.public_key)).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True

    @property
    def roles_zh(self) -> str:
        return "、".join(ROLES.get(r, r) for r in self.roles) or "（无）"


def key_id(public_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


def key_dir() -> Path:
    """Where this computer's private keys lie: ``$EVALKIT_KEYS``, else ``$XDG_CONFIG_HOME/evalkit/keys``."""
    if os.environ.get("EVALKIT_KEYS"):
        return Path(os.environ["EVALKIT_KEYS"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "evalkit" / "keys"


def _text(value: str, what: str) -> str:
    value = str(value or "").strip()
    if not value or len(value) > 100 or any(c in value for c in "\r\n\t"):
        raise ValueError(f"{what}不能为空，也不能超过 100 个字符或含换行。")
    return value


def new_key(person: str, device: str = "", folder: Path | None = None) -> tuple[Path, Path]:
    """A new key pair for ``person``: (private key file, public key file to hand to the lead)."""
    person, device = _text(person, "姓名（--person）"), str(device or "").strip()[:100]
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw().hex()
    public = private.public_key().public_bytes_raw().hex()
    kid = key_id(public)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    folder = Path(folder) if folder is not None else key_dir()
    durable.ensure_dir(folder)
    body = {"key": kid, "person": person, "device": device, "created": created, "public_key": public}
    secret = folder / f"{kid}.key"
    fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(_json({"format": PRIVATE_FORMAT, **body, "private_key": seed}))
        fh.flush()
        os.fsync(fh.fileno())
    shared = folder / f"{kid}.pub.json"
    durable.write_new(shared, _json({"format": PUBLIC_FORMAT, **body}))
    return secret, shared


def _json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _load(path: Path, fmt: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"密钥文件 {path} 无法读取（{exc}）。") from None
    ok = isinstance(data, dict) and data.get("format") == fmt and isinstance(data.get("public_key"), str)
    if ok:
        try:
            ok = len(bytes.fromhex(data["public_key"])) == 32 and key_id(data["public_key"]) == data.get("key")
        except ValueError:
            ok = False
    if not ok:
        raise ValueError(f"{path} 不是 evalkit keys new 生成的{'私钥' if fmt == PRIVATE_FORMAT else '公钥'}文件。")
    return data


@dataclass(frozen=True)
class SigningKey:
    """A private key loaded from its file."""

    key_id: str
    person: str
    public_key: str
    private: Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def load_signing_key(ref: str | Path | None) -> SigningKey | None:
    """The private key ``ref`` (a file, or a key id in :func:`key_dir`); with None the only key there, if
    exactly one.  ValueError (Chinese) when it cannot be found or read."""
    if ref is None:
        found = sorted(key_dir().glob("*.key")) if key_dir().is_dir() else []
        if len(found) != 1:
            return None
        path = found[0]
    else:
        path = Path(ref)
        if not path.is_file():
            path = key_dir() / f"{ref}.key"
        if not path.is_file():
            raise ValueError(f"找不到私钥「{ref}」：请给出 evalkit keys new 生成的 .key 文件，或 {key_dir()} 中的密钥编号。")
    data = _load(path, PRIVATE_FORMAT)
    try:
        private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(data["private_key"]))
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"私钥文件 {path} 已损坏。") from None
    if private.public_key().public_bytes_raw().hex() != data["public_key"]:
        raise ValueError(f"私钥文件 {path} 的公钥与私钥不配对，已损坏。")
    return SigningKey(data["key"], data["person"], data["public_key"], private)


def register_key(root: Path, public_file: Path, roles: list[str]) -> PublicKey:
    """Record a public key in ``root/keys/<id>.json`` with its roles; ValueError (Chinese) when it cannot."""
    bad = [r for r in roles if r not in ROLES]
    if not roles or bad:
        raise ValueError("角色（--role）应为 " + "、".join(f"{k}（{v}）" for k, v in ROLES.items()) + " 之一或几个。")
    data = _load(public_file, PUBLIC_FORMAT)
    target = Path(root) / KEYS / f"{data['key']}.json"
    if target.exists():
        raise ValueError(f"密钥 {data['key']} 已经登记过（{target}）：登记从不覆盖；如需更改角色，请先吊销再用新密钥登记。")
    body = {"format": "evalkit.registered-key/1", "key": data["key"], "person": _text(data.get("person"), "姓名"),
            "device": str(data.get("device", ""))[:100], "public_key": data["public_key"],
            "roles": sorted(set(roles)), "registered": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}
    durable.write_new(target, _json(body))
    return registered_keys(root)[data["key"]]


def revoke_key(root: Path, kid: str, why: str) -> Path:
    """Record that key ``kid`` may no longer sign bundles (``keys/<id>.revoked.json``)."""
    if kid not in registered_keys(root):
        raise ValueError(f"项目中没有登记编号为 {kid} 的密钥：请用 evalkit keys list 查看。")
    target = Path(root) / KEYS / f"{kid}.revoked.json"
    body = {"key": kid, "why": _text(why, "吊销原因（--why）"),
            "revoked": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}
    durable.write_new(target, _json(body))
    return target


def parse_registered(data: bytes, kid: str, revoked: bool = False) -> PublicKey | None:
    """A registered key from the bytes of ``keys/<kid>.json``; None when they are not one."""
    try:
        body = json.loads(data.decode("utf-8"))
        pk = body["public_key"]
        if key_id(pk) != body["key"] or body["key"] != kid:
            return None
        return PublicKey(body["key"], str(body["person"]), pk, str(body.get("device", "")),
                         tuple(r for r in body.get("roles", ()) if r in ROLES), revoked)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def registered_keys(root: Path) -> dict[str, PublicKey]:
    """The project's registered keys by id (unreadable files are skipped)."""
    folder = Path(root) / KEYS
    out: dict[str, PublicKey] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if path.name.endswith(".revoked.json"):
            continue
        try:
            key = parse_registered(path.read_bytes(), path.stem, (folder / f"{path.stem}.revoked.json").exists())
        except OSError:
            continue
        if key is not None:
            out[key.key_id] = key
    return out
