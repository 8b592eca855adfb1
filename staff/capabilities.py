"""What each role may do: named capabilities, and the one table that grants them to roles.

This table is the only place a role gains or loses a capability: `staff.access.may(user,
capability[, area])` reads it, and every page, API view, selector and middleware asks `may`
instead of naming roles. The object rules stay with the object's layer (this pair's team, the
KPU running this election: candidates.selectors), and each capability's area rule with its
reader (a PPS closes its own kelurahan only: fieldwork.selectors.may_close); what the table
decides is whether the role may do the thing at all.

The roles are electorate's Role values, plus two that are no assignment of their own:
SUPERUSER (Django's superuser, acting everywhere) and PKD (a Bawaslu officer whose area is one
kelurahan: the village supervisor, who has Bawaslu's capabilities and reads the worklist too).
"""

from __future__ import annotations

from enum import StrEnum

from electorate.models import Role


class Capability(StrEnum):
    READ_NAMES = "read_names"  # supporters one by one, with results (not Bawaslu: 48(3d))
    READ_RECAP = "read_recap"  # the recap of the area
    READ_RED_FLAGS = "read_red_flags"  # the red flags of the recap
    RUN_ELECTIONS = "run_elections"  # create and run elections, load rolls (the KPU)
    READ_WORKLIST = "read_worklist"  # the field worklist name by name
    RECORD_FINDINGS = "record_findings"  # a finding of a visit, a typed-in paper sheet's rows
    SUBMIT_SHEET = "submit_sheet"  # upload a paper sheet
    CLOSE_AREA = "close_area"  # close an area's factual verification (fieldwork.may_close)
    REOPEN_AREA = "reopen_area"  # reopen an area below (fieldwork.may_reopen)
    ATTEST = "attest"  # attest a denial (the supervisor present)
    READ_ADVICE = "read_advice"  # correction advice
    FILE_ADVICE = "file_advice"
    ANSWER_ADVICE = "answer_advice"
    READ_REPORTS = "read_reports"  # supervision reports (Form A)
    FILE_REPORT = "file_report"
    READ_OBJECTIONS = "read_objections"  # the public's objections (tanggapan masyarakat)
    FILE_OBJECTION = "file_objection"  # Bawaslu's own, or one brought to a KPU desk
    ANSWER_OBJECTIONS = "answer_objections"  # clarify and decide them
    READ_MINUTES = "read_minutes"  # Berita Acara
    ISSUE_MINUTES = "issue_minutes"
    OTP = "otp"  # signs in with a one-time password where an election requires it


SUPERUSER = "superuser"
PKD = "pkd"

C = Capability
_COMMISSION = frozenset({
    C.READ_NAMES, C.READ_RECAP, C.READ_RED_FLAGS, C.RUN_ELECTIONS, C.READ_WORKLIST,
    C.RECORD_FINDINGS, C.SUBMIT_SHEET, C.CLOSE_AREA, C.REOPEN_AREA, C.READ_ADVICE,
    C.ANSWER_ADVICE, C.READ_REPORTS, C.READ_OBJECTIONS, C.FILE_OBJECTION, C.ANSWER_OBJECTIONS,
    C.READ_MINUTES, C.ISSUE_MINUTES, C.OTP,
})  # fmt: skip
_COMMITTEE = frozenset({
    C.READ_NAMES, C.READ_WORKLIST, C.RECORD_FINDINGS, C.SUBMIT_SHEET, C.CLOSE_AREA, C.READ_ADVICE,
})  # fmt: skip
_SUPERVISOR = frozenset({
    C.READ_RECAP, C.READ_RED_FLAGS, C.ATTEST, C.READ_ADVICE, C.FILE_ADVICE, C.READ_REPORTS,
    C.FILE_REPORT, C.READ_OBJECTIONS, C.FILE_OBJECTION, C.READ_MINUTES, C.OTP,
})  # fmt: skip

# role -> what it may do. A user holds the capabilities of each of its roles (staff.access.roles).
CAPABILITIES: dict[str, frozenset[Capability]] = {
    SUPERUSER: _COMMISSION,
    Role.KPU_PROVINSI: _COMMISSION,
    Role.KPU_KABKOTA: _COMMISSION,
    Role.KPU_RI: _COMMISSION,  # the whole country (H16, issue 22: uncommitted with its role)
    Role.PPK: _COMMITTEE | {C.REOPEN_AREA},  # reopens a kelurahan of its kecamatan
    Role.PPS: _COMMITTEE,
    Role.BAWASLU: _SUPERVISOR,
    Role.BAWASLU_RI: _SUPERVISOR,  # (H16, issue 22: uncommitted with its role)
    PKD: _SUPERVISOR | {C.READ_WORKLIST},
    Role.TIM: frozenset({C.READ_NAMES, C.READ_RECAP}),  # its own pair's (candidates.selectors)
}
