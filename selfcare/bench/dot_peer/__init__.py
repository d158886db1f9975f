"""The bench's peer: a minimal Django project with the same django-oauth-toolkit at its defaults (what
`django-admin startproject` and the library's tutorial give), served by the same gunicorn on the same database
server, so the token endpoint's figures can be read against what the library does on its own.

Only the database connection is set like the portal's (kept open for 60 s, CONN_MAX_AGE): Django's default of a new
connection per request would measure PostgreSQL's connection start-up, not the library.
"""
