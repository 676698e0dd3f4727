"""Pure functions on text, shared by every area: check-worthiness (``worthiness``), claim
matching (``matching``), quoted passages (``quotes``) and links (``links``). Text in,
answers out: nothing here imports models or touches the database."""
