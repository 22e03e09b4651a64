"""Accounts: who may sign in and how.

- `users`: creating, listing and deactivating people;
- `passwords`: the password rule, hashing, checking a password, changing it;
- `sessions`: the per-user session token that the cookie names, and ending sessions;
- `second_factor`: the authenticator app (TOTP) and recovery codes.

Each function that changes an account commits its own transaction (with its audit event); the person who
asked is passed in (`by`), never read from the request.
"""

from app.services.errors import ServiceError


class AccountError(ServiceError):
    """A request about an account that cannot be done; `field` is "email", "name" or "password" when given."""
