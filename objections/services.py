"""Entry points that write objections: filed (by a citizen through the check, or by Bawaslu or
a KPU desk), clarified, decided. Views, the API and commands call these.

A confirmed objection strikes the supporter off for its pair, every row of the same NIK in
that pair: the reason PUBLIC_OBJECTION on the administrative result (TMS by default, kept
across reruns: verification.services.result_reason_add) and TMS on the field task
(fieldwork.strike), so the recap and the final standing no longer count it. Every step is a
Step row and an audit event; neither holds the NIK or the contact in clear.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import audit_record
from candidates.models import Pair, Supporter
from electorate.models import Voter
from fieldwork.standing import standing_refresh
from fieldwork.strike import tasks_strike
from files.text import bidi_strip
from keys import keyring
from objections.lookup import names_match, token_read
from objections.models import Objection, SpentToken, Step
from objections.selectors import may_handle
from objections.statements import statement_keep
from staff.access import code_within, user_area
from verification.derived import red_flags_provided_refresh
from verification.models import VerificationResult
from verification.rules import Reason
from verification.services import result_reason_add

# Crockford's base32 without I, L, O, U: read aloud and typed on a phone without confusion.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits: not guessable, even without the rate limit
NOTE_MAX = 2000


def reference_make() -> str:
    code = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
    return f"TM-{code[:4]}-{code[4:8]}-{code[8:]}"


def reference_normalise(text: str) -> str:
    """What a citizen types, as stored: case, spaces and dashes ignored; O read as 0, I and L
    as 1 (Crockford)."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if raw.startswith("TM"):
        raw = raw[2:]
    raw = raw.translate(str.maketrans("OIL", "011"))
    if len(raw) != CODE_LENGTH or any(ch not in ALPHABET for ch in raw):
        return ""
    return f"TM-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _context(objection: Objection, what: str) -> str:
    return f"objection:{objection.pk}:{what}"


def objection_contact(objection: Objection) -> str:
    """The objector's contact, for the KPU that clarifies."""
    if not objection.contact_cipher:
        return ""
    blob = bytes(objection.contact_cipher)
    return keyring.decrypt(blob, context=_context(objection, "contact")).decode()


def objection_note(objection: Objection) -> str:
    if not objection.note_cipher:
        return ""
    plain = keyring.decrypt(bytes(objection.note_cipher), context=_context(objection, "note"))
    return plain.decode()


def contact_masked(contact: str) -> str:
    """For those who read but do not clarify (Bawaslu): enough to tell two apart."""
    if not contact:
        return ""
    if "@" in contact:
        name, _at, domain = contact.partition("@")
        return f"{name[:1]}***@{domain}"
    return "*" * max(0, len(contact) - 3) + contact[-3:]


def _place(supporter: Supporter) -> str:
    """Where the recap places the supporter: the roll's kelurahan once verified."""
    code = (
        VerificationResult.objects.filter(supporter_id=supporter.pk)
        .values_list("kelurahan_code", flat=True)
        .first()
    )
    return code or supporter.kelurahan_id


def _create(
    *,
    supporter: Supporter,
    kind: str,
    source: str,
    contact: str,
    note: str,
    statement_file: IO[bytes] | None,
    statement_size: int,
    by=None,
) -> Objection:
    if kind not in Objection.Kind.values:
        raise ValidationError(_("Pilih isi tanggapan."))
    # Kept encrypted, so cleaned here (files.text: no bidirectional controls).
    contact = bidi_strip(contact or "").strip()
    note = bidi_strip(note or "").strip()[:NOTE_MAX]
    if source == Objection.Source.CITIZEN and not contact:
        raise ValidationError(
            _("Isi nomor telepon/WhatsApp atau e-mail agar KPU dapat menghubungi.")
        )
    pair: Pair = supporter.pair
    with transaction.atomic():
        statement = None
        if statement_file is not None:
            statement = statement_keep(file=statement_file, size=statement_size, by=by)
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    objection = Objection.objects.create(
                        reference=reference_make(),
                        election_id=pair.election_id,
                        pair=pair,
                        supporter=supporter,
                        region_code=_place(supporter),
                        kind=kind,
                        source=source,
                        statement=statement,
                        filed_by=by,
                    )
                break
            except IntegrityError:  # the same reference drawn twice: draw again
                continue
        else:
            raise RuntimeError("no free objection reference")
        objection.contact_cipher = (
            keyring.encrypt(contact.encode(), context=_context(objection, "contact"))
            if contact
            else b""
        )
        objection.note_cipher = (
            keyring.encrypt(note.encode(), context=_context(objection, "note")) if note else b""
        )
        objection.save(update_fields=["contact_cipher", "note_cipher"])
        Step.objects.create(objection=objection, action=Step.Action.FILED, by=by)
        audit_record(
            "objection.filed",
            actor=by,
            area=objection.region_code,
            target=objection,
            data={"pair": pair.pk, "kind": kind, "source": source,
                  "statement": statement.sha256 if statement else None},
        )  # fmt: skip
    return objection


class TokenRefused(ValidationError):
    """The check's token has filed already, expired, or was given to another network."""


def token_refused() -> TokenRefused:
    return TokenRefused(
        _(
            "Sesi pengecekan ini sudah berakhir atau sudah dipakai untuk mengajukan tanggapan. "
            "Cek NIK Anda sekali lagi, lalu ajukan."
        ),
        code="token",
    )


def objection_submit(
    *,
    token: str,
    client: str,
    kind: str,
    contact: str,
    note: str = "",
    statement_file: IO[bytes] | None = None,
    statement_size: int = 0,
) -> Objection:
    """A citizen's objection, from a positive check: the token names the supporter rows it
    found. It files once (spent here, in the same transaction: a refused form leaves it
    good), and only from the client network the check answered (`client`:
    staff.clients.client_network). An objection about a supporter that has one of the same
    kind still open is merged into it: a FILED step of that objection, whose reference the
    citizen gets (TokenRefused otherwise: back to the check)."""
    found = token_read(token, client=client)
    if found is None:
        raise token_refused()
    pair_id, supporter_ids = found
    supporter = (
        Supporter.objects.select_related("pair__election")
        .filter(pk__in=supporter_ids, pair_id=pair_id)
        .order_by("-round", "-pk")
        .first()
    )
    if supporter is None:
        raise ValidationError(_("Data dukungan tidak ditemukan lagi. Ulangi pengecekan NIK."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                SpentToken.objects.create(digest=hashlib.sha256(token.encode()).hexdigest())
        except IntegrityError:
            raise token_refused() from None
        # Filings about one supporter, one after the other: the second sees the first's.
        list(Supporter.objects.select_for_update().filter(pk__in=supporter_ids).values("pk"))
        existing = (
            Objection.objects.filter(
                pair_id=pair_id,
                supporter_id__in=supporter_ids,
                kind=kind,
                status__in=Objection.OPEN_STATUSES,
            )
            .order_by("pk")
            .first()
        )
        if existing is not None:
            return _merge(
                existing,
                contact=contact,
                note=note,
                statement_file=statement_file,
                statement_size=statement_size,
            )
        return _create(
            supporter=supporter,
            kind=kind,
            source=Objection.Source.CITIZEN,
            contact=contact,
            note=note,
            statement_file=statement_file,
            statement_size=statement_size,
        )


def _merge(
    objection: Objection,
    *,
    contact: str,
    note: str,
    statement_file: IO[bytes] | None,
    statement_size: int,
) -> Objection:
    """A second citizen's filing about an open objection's supporter: a FILED step of it. A
    statement or contact the objection lacks is taken; the rest of the filing is the step's."""
    contact = bidi_strip(contact or "").strip()
    if not contact:
        raise ValidationError(
            _("Isi nomor telepon/WhatsApp atau e-mail agar KPU dapat menghubungi.")
        )
    fields = []
    statement = None
    if statement_file is not None:
        statement = statement_keep(file=statement_file, size=statement_size)
        if objection.statement_id is None:
            objection.statement = statement
            fields.append("statement")
    if not objection.contact_cipher:
        objection.contact_cipher = keyring.encrypt(
            contact.encode(), context=_context(objection, "contact")
        )
        fields.append("contact_cipher")
    if fields:
        objection.save(update_fields=fields)
    Step.objects.create(
        objection=objection,
        action=Step.Action.FILED,
        note=_("Diajukan lagi dari pengecekan lain; digabung ke tanggapan ini."),
    )
    audit_record(
        "objection.merged",
        area=objection.region_code,
        target=objection,
        data={"statement": statement.sha256 if statement else None, "noted": bool(note)},
    )
    return objection


def filing_not_found() -> ValidationError:
    """The one answer of the desk for "not a supporter", "another name" and a capped lookup."""
    return ValidationError(
        _("NIK ini tidak terdaftar sebagai pendukung pasangan tersebut di wilayah Anda.")
    )


def objection_file(
    *,
    pair: Pair,
    nik: str,
    name: str,
    kind: str,
    by,
    source: str,
    contact: str = "",
    note: str = "",
    statement_file: IO[bytes] | None = None,
    statement_size: int = 0,
    withheld: bool = False,
) -> Objection:
    """Bawaslu's objection, or one a KPU desk received (a letter, a citizen at the office),
    about the supporter with this NIK and this name (the list's or the roll's, compared as the
    verification compares names) in the pair's list, inside the filer's area. `withheld`: the
    desk's cap was reached (objections.limits.desk_gate): looked up all the same, then refused
    with the answer of a NIK not found."""
    hasher = keyring.hasher(fresh=True)
    area = user_area(by)
    nik_hash = hasher.hash(nik)
    rows = Supporter.objects.select_related("pair__election").filter(pair=pair, nik_hash=nik_hash)
    in_area = [s for s in rows.order_by("-round", "-pk") if code_within(_place(s), area)]
    roll_name = (
        Voter.objects.filter(roll_id=pair.election.roll_id, nik_hash=nik_hash)
        .values_list("name", flat=True)
        .first()
    )
    named = names_match(name, [{"name": s.name, "roll_name": roll_name} for s in in_area])
    supporter = next((s for s, same in zip(in_area, named, strict=True) if same), None)
    if supporter is None or withheld:
        raise filing_not_found()
    return _create(
        supporter=supporter,
        kind=kind,
        source=source,
        contact=contact,
        note=note,
        statement_file=statement_file,
        statement_size=statement_size,
        by=by,
    )


def _locked(objection: Objection, user) -> Objection:
    objection = (
        Objection.objects.select_for_update().select_related("pair__election").get(pk=objection.pk)
    )
    if not may_handle(user=user, objection=objection):
        raise ValidationError(_("Hanya KPU kabupaten/kota tempat pendukung yang menangani ini."))
    if not objection.is_open:
        raise ValidationError(_("Tanggapan ini sudah diputuskan."))
    return objection


def objection_clarify(
    *, objection: Objection, by, method: str, happened_at, note: str
) -> Objection:
    """Record a clarification: how (phone, visit, ...), when, and what came of it."""
    note = (note or "").strip()
    if method not in Step.Method.values:
        raise ValidationError(_("Pilih cara klarifikasi."))
    if happened_at is None or happened_at > timezone.now():
        raise ValidationError(_("Waktu klarifikasi belum terjadi."))
    if not note:
        raise ValidationError(_("Tuliskan hasil klarifikasi."))
    with transaction.atomic():
        objection = _locked(objection, by)
        Step.objects.create(
            objection=objection,
            action=Step.Action.CLARIFIED,
            method=method,
            happened_at=happened_at,
            note=note,
            by=by,
        )
        objection.status = Objection.Status.CLARIFIED
        objection.save(update_fields=["status"])
        audit_record(
            "objection.clarified",
            actor=by,
            area=objection.region_code,
            target=objection,
            data={"method": method, "happened_at": happened_at, "note": note},
        )
    return objection


def objection_decide(*, objection: Objection, by, confirmed: bool, reason: str) -> Objection:
    """Confirmed misuse: the supporter (every row of that NIK in the pair) is struck off:
    PUBLIC_OBJECTION on its results, TMS in the field. Rejected: the reason is required and
    the support stays. Only after a clarification."""
    reason = (reason or "").strip()
    if not confirmed and not reason:
        raise ValidationError(_("Tuliskan alasan tanggapan tidak terbukti."))
    with transaction.atomic():
        objection = _locked(objection, by)
        if objection.status != Objection.Status.CLARIFIED:
            raise ValidationError(_("Klarifikasi dulu kepada pelapor sebelum memutuskan."))
        objection.status = Objection.Status.CONFIRMED if confirmed else Objection.Status.REJECTED
        objection.decided_by = by
        objection.decided_at = timezone.now()
        objection.decision_reason = reason
        objection.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        Step.objects.create(
            objection=objection,
            action=Step.Action.CONFIRMED if confirmed else Step.Action.REJECTED,
            note=reason,
            by=by,
        )
        struck = {"results": 0, "tasks": 0}
        if confirmed:
            ids = list(
                Supporter.objects.filter(
                    pair_id=objection.pair_id,
                    nik_hash=Supporter.objects.filter(pk=objection.supporter_id).values("nik_hash")[
                        :1
                    ],
                ).values_list("pk", flat=True)
            )
            source = f"objections.Objection:{objection.pk}"
            struck["results"] = result_reason_add(
                supporter_ids=ids, reason=Reason.PUBLIC_OBJECTION, source=source, by=by
            )
            struck["tasks"] = tasks_strike(
                supporter_ids=ids,
                by=by,
                reason=_("Tanggapan masyarakat %(ref)s terbukti.") % {"ref": objection.reference},
            )
        audit_record(
            "objection.decided",
            actor=by,
            area=objection.region_code,
            target=objection,
            data={"status": objection.status, "reason": reason, "struck": struck},
        )
        if confirmed:  # the misuse red flag counts confirmed objections: stored, so refreshed
            red_flags_provided_refresh(pair=objection.pair)
            standing_refresh(pair=objection.pair)  # struck supporters no longer count
    return objection


def objection_status(*, reference: str) -> Objection | None:
    """The objection a reference code names (for its status only), or None."""
    code = reference_normalise(reference)
    return Objection.objects.filter(reference=code).first() if code else None


def objections_rekey(*, hasher=None, rehashed: bool = False) -> int:
    """Key rotation (keys.rotation): every contact and note re-encrypted under the
    newest key, each still bound to its own row."""
    current, changed = keyring.current_key_id(), 0
    for objection in Objection.objects.order_by("pk").iterator():
        fields = []
        for what, name in (("contact", "contact_cipher"), ("note", "note_cipher")):
            blob = bytes(getattr(objection, name) or b"")
            if blob and keyring.key_id_of(blob) != current:
                plain = keyring.decrypt(blob, context=_context(objection, what))
                setattr(objection, name, keyring.encrypt(plain, context=_context(objection, what)))
                fields.append(name)
        if fields:
            objection.save(update_fields=fields)
            changed += 1
    return changed
