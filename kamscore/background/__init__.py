"""Background jobs: work too long for a web request (large imports) handed to a task queue
and run by ``kamscore worker``, never by a thread of a web worker.

- ``queue``: the app's Huey instance (a SQLite file in the instance folder by default, Redis
  with ``TASK_QUEUE_URL``), made per app on first use, and its tasks;
- ``records``: each job's record in the database (``background_job``): who started it, its
  state, its report or errors — what every web worker and host reads;
- ``progress``: a running job's progress, kept in the queue's store beside the queue;
- ``uploads``: files waiting for their job (``JOB_UPLOADS_DIR``), deleted when it ends;
- ``imports``: the import task — ``import_csv`` on a stored upload, as the uploader.
"""
