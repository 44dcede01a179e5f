"""Following a summary or a topic by email: sign-up with double opt-in, one-click
unsubscribe, and the alerts ``manage.py send_alerts`` sends (see README.md)."""
