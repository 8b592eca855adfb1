"""Rules of the administrative check that are lists of words, each with its source: the name
tolerances (names.py), the restricted occupations (occupations.py), and the labelled sets that
score them (name_pairs.csv, occupations_labelled.csv; `python -m bench.labels`)."""
