from kincare.core.errors import Conflict, ValidationFailed


class UnbalancedEntry(ValidationFailed):
    default_code = "unbalanced_entry"


class InsufficientFunds(Conflict):
    default_code = "insufficient_funds"


class IdempotencyConflict(Conflict):
    default_code = "idempotency_conflict"


class AlreadyReversed(Conflict):
    default_code = "already_reversed"
