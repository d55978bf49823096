"""Surveys: definitions (pure), campaigns, invitations, answering, statistics and
aggregates. Services take a SQLAlchemy ``Session``; none of them imports Flask."""
