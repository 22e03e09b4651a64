"""Accounts: who may sign in and how.

- `users`: creating, listing and deactivating people;
- `passwords`: the password rule, hashing, checking a password, changing it;
- `sessions`: the per-user session token that the cookie names, and ending sessions;
- `second_factor`: the authenticator app (TOTP) and recovery codes.
"""


class AccountError(ValueError):
    """A request about an account that cannot be done, worded for the person who asked.

    `field` names the form field the message belongs to ("email", "name", "password"), when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
