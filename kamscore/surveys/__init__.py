"""Surveys: definitions (pure), campaigns, invitations, answering, statistics and
aggregates. The services take a SQLAlchemy ``Session`` and know no request."""
