"""Where a supporter counts: one rule for every surface (the recap, the results list and its
export, the red flags, the objections, the field worklists, the minutes, the standing).

A supporter found on the election's roll counts in the roll's kelurahan (UU 10/2016 Art.
41: support comes from voters of the region's DPT, wherever the form says they live; the
engine writes it as VerificationResult.kelurahan_code); any other supporter in the kelurahan
its row names. A record replaced by a later round's resubmission (superseded) is listed but
not counted again: the person counts once, by the record that replaced it.
"""

from __future__ import annotations

# SQL over a supporter `s` LEFT JOIN its result `r`.
PLACE = "COALESCE(r.kelurahan_code, s.kelurahan_id)"
COUNTED = "(r.superseded IS NULL OR r.superseded = %(no)s)"
# The status the list counts gives a superseded record.
SUPERSEDED = "SUPERSEDED"
