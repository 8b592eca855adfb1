"""Pages of factual verification (verfak), one module per page: the pair's page (pair) and its
actions, one URL each (actions), a kelurahan's worklist (worklist), one supporter's task and
its entry, correction and attestation (task), sheets (sheets), Form A reports and correction
advice (supervision), the service worker (sw).

Objects come only from what the user may reach (fieldwork.selectors): outside it a 404; seen
but not allowed, a 403. What a page shows is the selectors' answer and what it does is the
services' (fieldwork.services): a view decides nothing itself. The services' ValidationErrors
go to `messages` or onto the form.
"""
