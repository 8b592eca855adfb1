"""Which database a read goes to: the primary, or a streaming replica (issue 22 item 3)."""
