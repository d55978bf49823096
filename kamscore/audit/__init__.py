"""The audit log: recording who did what (``log``) and reading it back (``queries``)."""
