"""Events of this layer that the layers above act on, without this one knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# A run of the administrative verification has ended DONE and what derives from it is
# stored (derived.run_derive): the pair's standing moves (fieldwork.standing). Sent with run=.
run_finished = Signal()
