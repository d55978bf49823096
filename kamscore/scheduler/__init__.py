"""The scheduler process (``kamscore scheduler``): APScheduler wiring of the scheduled jobs.

It runs in a process of its own, never inside web workers (several gunicorn workers would
each start one). ``job_runs`` records and guards each run; ``process`` builds the
APScheduler ``BlockingScheduler``; the jobs themselves are service functions of
(session factory, now) — the survey jobs are in ``kamscore.surveys.jobs``.
"""
