"""An objection's contact and note are kept encrypted, so no model hook sees them: they are
cleaned of bidirectional controls by the service (issue 19 item 7, files/text.py)."""

from __future__ import annotations

import pytest

from files.text import BIDI_CONTROLS
from objections.services import objection_contact, objection_note
from tests.objections.people import citizen_objects

pytestmark = pytest.mark.django_db


def test_the_note_and_contact_are_kept_without_controls(field):
    objection = citizen_objects(
        contact="0812\u202e3456 7890", note="Saya \u202etidak pernah\u202c mendukung."
    )
    assert objection_note(objection) == "Saya tidak pernah mendukung."
    assert objection_contact(objection) == "08123456 7890"
    assert not any(ch in objection_note(objection) for ch in BIDI_CONTROLS)
