"""The test suite's settings: the project's, read as on a developer's machine.

DEBUG is off unless the environment turns it on, and with it off the settings want a
secret key and host names. The tests ran with DEBUG on in the environment before it
defaulted to off, and still do: set here before the settings are read, so the processes
the tests start (which inherit the environment) read the same. Tests of production
settings set DEBUG=0 themselves. (pytest-django turns settings.DEBUG off while tests
run, whatever this says.)
"""

import os

os.environ.setdefault("DEBUG", "1")

from toolkit.settings import *  # noqa: E402, F403

# No save in a test sends a request to a link's address; the link tests run the task
# themselves, against a server of their own.
LINK_CHECK_ENABLED = False
