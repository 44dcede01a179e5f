"""The errors the editorial services raise; the admin shows their messages."""


class ServiceError(Exception):
    """A request the content rules refuse; the message is shown to the user."""


class NotAllowed(ServiceError):
    """The user's role does not allow the action (the admin answers 403)."""


class SubmitRefused(ServiceError):
    """A draft is not ready for review; ``problems`` lists every reason at once."""

    def __init__(self, problems: list[str]):
        super().__init__("Not submitted. Before review: " + " ".join(problems))
        self.problems = problems
