"""Rotating the NIK keys (`manage.py rotate_keys`): apply a new HMAC key to every stored hash,
re-encrypt every NIK ciphertext and upload file under the newest encryption key.

The tables that hold hashes and ciphertexts belong to several apps; each registers them here
from its AppConfig.ready (hash_column_register, rekeyer_register), so this module, at the
bottom layer, imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from keys import keyring

HASH_COLUMNS: list[tuple[type[models.Model], str]] = []
REKEYERS: dict[str, Callable[..., int]] = {}
BATCH = 20_000


def hash_column_register(model: type[models.Model], field: str) -> None:
    """A column holding NIK hashes (keyring.Hasher.hash): re-hashed when an HMAC key is added."""
    if (model, field) not in HASH_COLUMNS:
        HASH_COLUMNS.append((model, field))


def rekeyer_register(name: str, rekey: Callable[..., int]) -> None:
    """rekey(hasher=..., rehashed=bool) -> rows changed: re-encrypts the rows' ciphertexts under
    the current key and recomputes what derives from the NIK under the new hash chain."""
    REKEYERS[name] = rekey


def keys_rotate() -> dict:
    """Apply every HMAC key listed in settings but not yet in the chain, then re-encrypt.
    One transaction: the tables are locked against writes (reads go on: matching keeps
    working on the old hashes until the commit, on the new ones after it)."""
    result: dict = {"hmac_applied": [], "rehashed": {}, "reencrypted": {}}
    with transaction.atomic():
        state = keyring.locked_chain()
        _lock_tables()
        secrets = keyring.hmac_secrets()
        new_ids = [
            key_id for key_id, _s in settings.NIK_HMAC_KEYS if key_id not in state.hmac_chain
        ]
        for key_id in new_ids:
            for model, field in HASH_COLUMNS:
                label = f"{model._meta.label}.{field}"
                result["rehashed"][label] = result["rehashed"].get(label, 0) + _rehash(
                    model, field, secrets[key_id]
                )
            state.hmac_chain.append(key_id)
        state.version += 1
        state.rotated_at = timezone.now()
        state.save()
        keyring.hasher_forget()
        hasher = keyring.hasher()
        for name, rekey in REKEYERS.items():
            result["reencrypted"][name] = rekey(hasher=hasher, rehashed=bool(new_ids))
        result["hmac_applied"] = new_ids
        result["hmac_chain"] = list(state.hmac_chain)
        result["encryption_key"] = keyring.current_key_id()
    return result


def _lock_tables() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: the transaction is the only writer
    with connection.cursor() as cursor:
        for model, _field in HASH_COLUMNS:
            cursor.execute(f"LOCK TABLE {model._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def _rehash(model: type[models.Model], field: str, secret: bytes) -> int:
    """Every stored hash of the column taken one key further, in batches by primary key."""
    table = model._meta.db_table
    pk = model._meta.pk.column
    done, last = 0, None
    with connection.cursor() as cursor:
        while True:
            where = "" if last is None else f"WHERE {pk} > %s"
            cursor.execute(
                f"SELECT {pk}, {field} FROM {table} {where} ORDER BY {pk} LIMIT {BATCH}",
                [] if last is None else [last],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            last = rows[-1][0]
            # A null hash (a birth hash where the date or the NIK was unknown) stays null.
            new = [(keyring.rehash(value, secret), key) for key, value in rows if value is not None]
            if new:
                _update(cursor, table, pk, field, new)
            done += len(new)


def _update(cursor, table: str, pk: str, field: str, values: list[tuple[bytes, int]]) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(
            f"UPDATE {table} t SET {field} = v.h FROM "
            "(SELECT unnest(%s::bytea[]) AS h, unnest(%s::bigint[]) AS id) v WHERE t."
            f"{pk} = v.id",
            [[h for h, _k in values], [k for _h, k in values]],
        )
    else:
        cursor.executemany(f"UPDATE {table} SET {field} = %s WHERE {pk} = %s", values)
