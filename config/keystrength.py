"""Is a key random enough to protect NIKs? Checked at start in production
(config/settings/keys.py) for every secret key, whatever its length: 32 zero bytes, "k" 35
times or "abcdef" nine times are long enough and guessable at once.

A key drawn at random passes, in any of the usual forms (raw bytes, base64, hex, Django's
get_random_secret_key); a key a person made up, or a pattern, does not. The measures are those
of the entropy estimators of NIST SP 800-90B, simplified to what a short key can show:
- the bits per character (Shannon, from the counts of each byte): a random hex key has about
  3.8, base64 about 5, raw bytes about 4.9 over 32 bytes; "abcdef" repeated has 2.6;
- the estimated total (bits per character times length) against a 128-bit floor;
- no stretch of 8 characters seen twice (a pattern repeated: any periodic key has one), and
  no run of 8 characters with a constant step ("01234567", "abcdefgh", bytes 0, 1, 2, ...).
For a random key each of these fails with a probability below one in a million.
"""

from __future__ import annotations

import math
from collections import Counter

MIN_BITS_PER_CHAR = 3.0
MIN_BITS = 128
REPEAT = 8  # a stretch this long seen twice
RUN = 8  # this many characters with a constant step


def key_weakness(secret: bytes) -> str | None:
    """Why the key is too weak, or None when it looks random."""
    n = len(secret)
    if n == 0:
        return "empty"
    counts = Counter(secret).values()
    per_char = sum(c / n * math.log2(n / c) for c in counts)
    if per_char < MIN_BITS_PER_CHAR:
        return f"{per_char:.1f} bits per character from {len(counts)} distinct characters"
    if per_char * n < MIN_BITS:
        return f"about {per_char * n:.0f} bits in all, under {MIN_BITS}"
    seen = set()
    for i in range(n - REPEAT + 1):
        piece = secret[i : i + REPEAT]
        if piece in seen:
            return f"a stretch of {REPEAT} characters repeated"
        seen.add(piece)
    run = 2
    for i in range(2, n):
        step = (secret[i] - secret[i - 1]) % 256
        run = run + 1 if step == (secret[i - 1] - secret[i - 2]) % 256 else 2
        if run >= RUN:
            return f"{RUN} characters in a constant sequence"
    return None
